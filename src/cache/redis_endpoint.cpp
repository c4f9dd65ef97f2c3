#include "inbox/cache/redis_endpoint.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <limits>
#include <stdexcept>

namespace inbox::cache {
namespace {

template <typename Number>
std::optional<Number> parse_decimal(std::string_view text) {
    Number value{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

[[noreturn]] void reject(const std::string& why) { throw std::invalid_argument("REDIS_URL: " + why); }

}  // namespace

std::string RedisEndpoint::display() const {
    auto shown_host = host.find(':') == std::string::npos ? host : "[" + host + "]";
    auto out = shown_host + ":" + std::to_string(port);
    if (database) out += "/" + std::to_string(*database);
    return out;
}

RedisEndpoint parse_redis_url(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) reject("not a valid URL (expected redis://[[user]:password@]host[:port][/db])");
    const boost::urls::url_view& view = *parsed;

    if (view.scheme() != "redis") reject("scheme must be redis:// (TLS is not supported by hiredis 0.14)");

    RedisEndpoint endpoint;
    endpoint.host = view.host_address();
    if (endpoint.host.empty()) reject("missing host");

    if (view.has_port()) {
        auto port = parse_decimal<std::uint16_t>(view.port());
        if (!port || *port == 0) reject("port must be a number from 1 to 65535");
        endpoint.port = *port;
    }

    if (view.has_password() && !view.password().empty()) {
        endpoint.password = view.password();
        if (!view.user().empty()) endpoint.username = view.user();
    } else if (view.has_userinfo() && !view.user().empty()) {
        reject("a user needs a password (redis://user:password@host)");
    }

    auto path = view.path();
    if (!path.empty() && path != "/") {
        auto database = parse_decimal<unsigned>(std::string_view(path).substr(1));
        if (path.front() != '/' || !database) reject("path must be a database number, e.g. /0");
        endpoint.database = *database;
    }
    return endpoint;
}

}  // namespace inbox::cache
