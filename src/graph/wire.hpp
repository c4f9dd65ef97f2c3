#pragma once
// Between RequestSpec and Beast messages: building the request, reading the few response headers we use.
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <optional>

#include "exchange.hpp"

namespace inbox::graph {

inline constexpr std::uint32_t kResponseHeaderLimit = 64 * 1024;

boost::beast::http::request<boost::beast::http::string_body> build_request(const RequestSpec& spec);
// The header alone, for a body of `content_length` bytes written after it (RequestSpec::file_body).
boost::beast::http::request<boost::beast::http::empty_body> build_request_header(const RequestSpec& spec,
                                                                                 std::uint64_t content_length);

// Retry-After in seconds; HTTP dates are ignored (Graph sends seconds when it sends anything).
std::optional<std::chrono::seconds> retry_after_of(const boost::beast::http::fields& fields);

}  // namespace inbox::graph
