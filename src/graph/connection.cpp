#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/url/parse.hpp>
#include <cerrno>
#include <stdexcept>

#include "connection_impl.hpp"

namespace inbox::graph {
namespace {

using tcp = asio::ip::tcp;

bool is_ip_literal(const std::string& host) {
    beast::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

Deadline step_deadline(Deadline request_deadline, std::chrono::milliseconds step_timeout) {
    return std::min(request_deadline, std::chrono::steady_clock::now() + step_timeout);
}

// Chain verification by OpenSSL (verify_peer), then the host name by Asio's check. The wrapper only notes a
// name mismatch so the error can say so. A plain function: the lambda must not capture coroutine parameters.
void install_verification(Connection& connection) {
    connection.secure->set_verify_callback(
        [check = asio::ssl::host_name_verification(connection.origin.host), mismatch = &connection.host_name_mismatch](
            bool preverified, asio::ssl::verify_context& context) mutable {
            const bool ok = check(preverified, context);
            if (preverified && !ok) *mismatch = true;
            return ok;
        });
}

// Why verification failed, in words: OpenSSL's verdict on the chain ("unable to get local issuer certificate",
// "certificate has expired"), or the host-name mismatch.
std::string verify_detail(Connection& connection) {
    if (connection.host_name_mismatch)
        return " (host name mismatch: the certificate is not for " + connection.origin.host + ")";
    const auto result = SSL_get_verify_result(connection.secure->native_handle());
    if (result == X509_V_OK) return {};
    return std::string(" (") + X509_verify_cert_error_string(result) + ")";
}

}  // namespace

std::string Origin::key() const { return (tls ? "https://" : "http://") + host + ":" + std::to_string(port); }

std::string Origin::host_header() const {
    const auto name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return port == (tls ? 443 : 80) ? name : name + ":" + std::to_string(port);
}

ParsedUrl parse_http_url(std::string_view url) {
    namespace urls = boost::urls;
    const auto parsed = urls::parse_absolute_uri(url);
    if (!parsed) throw std::invalid_argument("malformed URL");
    ParsedUrl result;
    if (parsed->scheme_id() == urls::scheme::https) {
        result.origin.tls = true;
    } else if (parsed->scheme_id() != urls::scheme::http) {
        throw std::invalid_argument("not an http(s) URL");
    }
    result.origin.host = parsed->host_type() == urls::host_type::name ? std::string(parsed->encoded_host())
                                                                      : std::string(parsed->host_address());
    if (result.origin.host.empty()) throw std::invalid_argument("URL without a host");
    if (parsed->has_port()) {
        if (parsed->port_number() == 0) throw std::invalid_argument("bad port in URL");
        result.origin.port = parsed->port_number();
    } else {
        result.origin.port = result.origin.tls ? 443 : 80;
    }
    result.target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
    if (parsed->has_query()) result.target += "?" + std::string(parsed->encoded_query());
    return result;
}

std::shared_ptr<asio::ssl::context> make_tls_context(bool use_system_roots, const std::optional<std::string>& ca_file) {
    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    beast::error_code ec;
    if (use_system_roots) {
        context->set_default_verify_paths(ec);
        if (ec) throw std::runtime_error("TLS: cannot load the system's CA certificates: " + ec.message());
    }
    if (ca_file) {
        context->load_verify_file(*ca_file, ec);
        if (ec) throw std::runtime_error("TLS: cannot load CA file " + *ca_file + ": " + ec.message());
    }
    context->set_verify_mode(asio::ssl::verify_peer);
    return context;
}

Connection::Connection(const asio::any_io_executor& executor, Origin where, std::shared_ptr<asio::ssl::context> context)
    : strand(asio::make_strand(executor)), origin(std::move(where)), tls_context(std::move(context)) {
    if (origin.tls) {
        if (!tls_context) throw std::logic_error("https connection without a TLS context");
        secure.emplace(strand, *tls_context);
    } else {
        plain.emplace(strand);
    }
}

void ConnectionDeleter::operator()(Connection* connection) const noexcept {
    // Idle or failed: nothing is pending on it, so closing from any thread is safe.
    delete connection;
}

ConnectionPtr make_connection(const asio::any_io_executor& executor, const Origin& origin,
                              const std::shared_ptr<asio::ssl::context>& tls) {
    return ConnectionPtr(new Connection(executor, origin, origin.tls ? tls : nullptr));
}

asio::any_io_executor connection_executor(Connection& connection) { return connection.strand; }

asio::awaitable<void> open(Connection& connection, Deadline request_deadline, std::chrono::milliseconds step_timeout) {
    const auto& origin = connection.origin;
    tcp::resolver resolver(connection.strand);
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(origin.host, std::to_string(origin.port), kTuple);
    if (resolve_ec)
        throw HttpError(HttpErrorKind::connect_failed, "resolving " + origin.host + ": " + resolve_ec.message());

    auto& stream = connection.tcp();
    stream.expires_at(step_deadline(request_deadline, step_timeout));
    auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, kTuple);
    if (connect_ec) {
        const auto why = connect_ec == beast::error::timeout ? std::string("timed out") : connect_ec.message();
        throw HttpError(HttpErrorKind::connect_failed, "connecting to " + origin.key() + ": " + why);
    }
    stream.socket().set_option(tcp::no_delay(true));
    if (!connection.secure) co_return;

    auto& secure = *connection.secure;
    // SNI carries names only (RFC 6066); the certificate check covers names and IP addresses alike.
    if (!is_ip_literal(origin.host) && !SSL_set_tlsext_host_name(secure.native_handle(), origin.host.c_str())) {
        throw HttpError(HttpErrorKind::tls_failed, "cannot set SNI for " + origin.host);
    }
    install_verification(connection);
    stream.expires_at(step_deadline(request_deadline, step_timeout));
    auto [handshake_ec] = co_await secure.async_handshake(asio::ssl::stream_base::client, kTuple);
    if (handshake_ec) {
        const auto why = handshake_ec == beast::error::timeout ? std::string("timed out") : handshake_ec.message();
        throw HttpError(HttpErrorKind::tls_failed,
                        "handshake with " + origin.key() + ": " + why + verify_detail(connection));
    }
}

bool looks_alive(Connection& connection) noexcept {
    auto& socket = connection.tcp().socket();
    if (!socket.is_open()) return false;
    char byte = 0;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void throw_transfer_error(const beast::error_code& ec, bool nothing_received, std::string_view during) {
    namespace http = beast::http;
    const auto what = std::string(during) + ": " + ec.message();
    if (ec == beast::error::timeout) throw HttpError(HttpErrorKind::timeout, what);
    if (ec == http::error::body_limit || ec == http::error::buffer_overflow) {
        throw HttpError(HttpErrorKind::too_large, what);
    }
    const bool closed = ec == http::error::end_of_stream || ec == http::error::partial_message ||
                        ec == asio::error::eof || ec == asio::error::connection_reset ||
                        ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
                        ec == asio::error::not_connected || ec == asio::ssl::error::stream_truncated;
    if (closed && nothing_received) throw StaleConnectionError(what);
    if (closed) throw HttpError(HttpErrorKind::connection_reset, what);
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
        throw HttpError(HttpErrorKind::bad_response, what);
    }
    throw HttpError(HttpErrorKind::connection_reset, what);
}

}  // namespace inbox::graph
