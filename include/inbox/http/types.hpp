#pragma once
// Request and response types shared by the server, the router and the handlers. Only Beast's message types are
// included here (cheap); the I/O machinery stays in src/http/.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "inbox/http/body_reader.hpp"
#include "inbox/http/stream_writer.hpp"
#include "inbox/util/open_file.hpp"

namespace inbox::http {

namespace beast_http = boost::beast::http;
using Verb = beast_http::verb;
using Status = beast_http::status;
using Field = beast_http::field;
using BeastRequest = beast_http::request<beast_http::string_body>;
using BeastResponse = beast_http::response<beast_http::string_body>;
using PathParams = std::vector<std::pair<std::string, std::string>>;

struct Request {
    BeastRequest message;
    std::string request_id;
    std::string route_template = "unmatched";  // metrics and logs label requests by template, not raw path
    PathParams path_params;
    std::optional<std::string> user_id;  // the JWT subject, set by the dispatcher on authenticated routes
    // When the bearer token stops being valid (exp plus leeway): long-lived answers (event streams) end then.
    std::optional<std::chrono::system_clock::time_point> credentials_expire_at;
    // Set instead of message.body() on routes with a streamed body (RouteOptions::streamed_body).
    std::shared_ptr<BodyReader> body_reader;

    Verb method() const { return message.method(); }
    std::string_view target() const { return message.target(); }
    std::string_view header(Field field) const { return message[field]; }
    // The decoded value of a path parameter declared in the route template; empty when absent.
    std::string_view path_param(std::string_view name) const;
    // The decoded value of a query parameter; nullopt when absent.
    std::optional<std::string> query_param(std::string_view name) const;
    bool has_query_param(std::string_view name) const { return query_param(name).has_value(); }
};

// A body read from an open file (media): after the header, the server sends `length` bytes from `offset` in
// pieces, never the whole file in memory. The header's Content-Length is `length`; a HEAD request gets the header
// only.
struct FileBody {
    OpenFile file;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

struct Response {
    BeastResponse message;
    // Set for streamed answers (SSE): `message` then carries only the status and headers. See stream_writer.hpp.
    StreamProducer stream;
    // Set for file answers: `message` carries the status and headers, its body stays empty.
    std::optional<FileBody> file;
};

}  // namespace inbox::http
