#pragma once
// One request/response on an open connection. Run these on the connection's executor. They throw HttpError
// (StaleConnectionError when the connection turned out closed before any byte of the response arrived).
#include "inbox/util/file_threads.hpp"
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "connection.hpp"
#include "inbox/graph/http_client.hpp"

namespace inbox::graph {

// A validated request, ready for the wire.
struct RequestSpec {
    std::string method;  // upper-case, a known HTTP verb
    std::string target;  // origin-form
    std::string host_header;
    std::vector<HttpHeader> headers;
    std::string body;
    std::optional<FileBodyPart> file_body;  // streamed from its file instead of `body`
};

// Validates the method (std::invalid_argument) and assembles what goes on the wire.
RequestSpec make_request_spec(std::string method, const ParsedUrl& url, std::vector<HttpHeader> headers,
                              std::string body, std::optional<FileBodyPart> file_body = std::nullopt);

struct ExchangeOutcome {
    HttpResponse response;
    bool reusable = false;  // the connection may serve another request
};

boost::asio::awaitable<ExchangeOutcome> exchange(Connection& connection, const RequestSpec& spec, Deadline deadline,
                                                 std::size_t max_body_bytes);

struct DownloadOutcome {
    DownloadResult result;
    bool reusable = false;
};

// `file_threads`: where the file is written (none: inline).
boost::asio::awaitable<DownloadOutcome> download(Connection& connection, const RequestSpec& spec, Deadline deadline,
                                                 const std::string& path, std::uint64_t max_bytes,
                                                 FileThreads* file_threads);

}  // namespace inbox::graph
