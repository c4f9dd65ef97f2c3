#include "inbox/graph/graph_urls.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cctype>
#include <initializer_list>
#include <stdexcept>

namespace inbox::graph {
namespace {

namespace urls = boost::urls;

urls::url parse_base(std::string_view base) {
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    auto parsed = urls::parse_absolute_uri(base);
    if (!parsed || (parsed->scheme_id() != urls::scheme::http && parsed->scheme_id() != urls::scheme::https) ||
        parsed->host().empty()) {
        throw std::invalid_argument("not an absolute http(s) URL: " + std::string(base));
    }
    return urls::url(*parsed);
}

std::string graph_url(std::string_view base, std::initializer_list<std::string_view> segments) {
    auto url = parse_base(base);
    url.remove_query().remove_fragment();
    for (const auto segment : segments) {
        if (segment.empty()) throw std::invalid_argument("empty Graph path segment");
        url.segments().push_back(segment);
    }
    return std::string(url.buffer());
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

}  // namespace

std::string messages_url(std::string_view base, std::string_view version, std::string_view phone_number_id) {
    return graph_url(base, {version, phone_number_id, "messages"});
}

std::string media_upload_url(std::string_view base, std::string_view version, std::string_view phone_number_id) {
    return graph_url(base, {version, phone_number_id, "media"});
}

std::string media_meta_url(std::string_view base, std::string_view version, std::string_view media_id) {
    return graph_url(base, {version, media_id});
}

std::string templates_url(std::string_view base, std::string_view version, std::string_view waba_id,
                          std::string_view after, std::size_t limit) {
    urls::url url(graph_url(base, {version, waba_id, "message_templates"}));
    if (limit > 0) url.params().append({"limit", std::to_string(limit)});
    if (!after.empty()) url.params().append({"after", after});
    return std::string(url.buffer());
}

std::string contact_lookup_url(std::string_view url_template, std::string_view wa_id) {
    if (wa_id.empty()) throw std::invalid_argument("empty wa_id");
    constexpr std::string_view kPlaceholder = "{wa_id}";
    if (const auto at = url_template.find(kPlaceholder); at != std::string_view::npos) {
        // Encode as a path segment: build it through Boost.URL on a dummy URL, then splice the encoded text in.
        urls::url holder("http://h");
        holder.segments().push_back(wa_id);
        const auto encoded = std::string(holder.encoded_path()).substr(1);
        std::string filled(url_template.substr(0, at));
        filled += encoded;
        filled += url_template.substr(at + kPlaceholder.size());
        parse_base(filled);  // validate the result
        return filled;
    }
    return graph_url(url_template, {wa_id});
}

bool host_allowed(std::string_view url, const std::vector<std::string>& allowed_hosts) {
    const auto parsed = urls::parse_absolute_uri(url);
    if (!parsed || (parsed->scheme_id() != urls::scheme::http && parsed->scheme_id() != urls::scheme::https)) {
        return false;
    }
    const auto host = lower(parsed->encoded_host());
    if (host.empty()) return false;
    return std::any_of(allowed_hosts.begin(), allowed_hosts.end(), [&host](const std::string& entry) {
        const auto allowed = lower(entry);
        if (allowed.starts_with("*.")) {
            const auto suffix = allowed.substr(1);  // ".example.com"
            return host.size() > suffix.size() && host.ends_with(suffix);
        }
        return host == allowed;
    });
}

}  // namespace inbox::graph
