#include "wire.hpp"

#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <charconv>
#include <stdexcept>

namespace inbox::graph {

namespace http = boost::beast::http;

RequestSpec make_request_spec(std::string method, const ParsedUrl& url, std::vector<HttpHeader> headers,
                              std::string body, std::optional<FileBodyPart> file_body) {
    if (http::string_to_verb(method) == http::verb::unknown) throw std::invalid_argument("unknown HTTP method");
    for (const auto& header : headers) {
        const auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
        if (header.name.empty() || std::any_of(header.name.begin(), header.name.end(), bad) ||
            std::any_of(header.value.begin(), header.value.end(), bad)) {
            throw std::invalid_argument("malformed HTTP header");
        }
    }
    return RequestSpec{std::move(method), url.target,         url.origin.host_header(),
                       std::move(headers), std::move(body), std::move(file_body)};
}

http::request<http::string_body> build_request(const RequestSpec& spec) {
    http::request<http::string_body> request(http::string_to_verb(spec.method), spec.target, 11);
    request.set(http::field::host, spec.host_header);
    request.set(http::field::user_agent, "whatsapp-inbox/0.1");
    for (const auto& header : spec.headers) request.set(header.name, header.value);
    request.keep_alive(true);
    if (!spec.body.empty()) request.body() = spec.body;
    request.prepare_payload();  // Content-Length, also 0 for a POST without a body
    return request;
}

http::request<http::empty_body> build_request_header(const RequestSpec& spec, std::uint64_t content_length) {
    http::request<http::empty_body> request(http::string_to_verb(spec.method), spec.target, 11);
    request.set(http::field::host, spec.host_header);
    request.set(http::field::user_agent, "whatsapp-inbox/0.1");
    for (const auto& header : spec.headers) request.set(header.name, header.value);
    request.keep_alive(true);
    request.content_length(content_length);
    return request;
}

std::optional<std::chrono::seconds> retry_after_of(const http::fields& fields) {
    const auto found = fields.find(http::field::retry_after);
    if (found == fields.end()) return std::nullopt;
    const auto text = found->value();
    long long seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() || seconds < 0) return std::nullopt;
    return std::chrono::seconds(seconds);
}

}  // namespace inbox::graph
