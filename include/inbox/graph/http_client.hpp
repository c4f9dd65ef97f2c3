#pragma once
// An HTTP/1.1 client for the Graph API: a keep-alive connection pool per (scheme, host, port), TLS with chain and
// host-name verification and SNI, connect and per-request deadlines, bounded response bodies, and downloads
// streamed to a file with an incremental SHA-256. Transport failures throw HttpError (http_error.hpp); any HTTP
// status is a normal answer. No Beast in this header.
//
// Safe to call from several threads and coroutines at once: a pooled connection is used by one request at a
// time, on its own strand.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "inbox/util/file_threads.hpp"
#include <string>
#include <vector>

#include "inbox/graph/http_error.hpp"

namespace inbox::observability {
class MetricsRegistry;
}

namespace inbox::graph {

struct HttpHeader {
    std::string name;
    std::string value;
};

// A request body made of `prefix`, the `size` bytes of the file at `path`, then `suffix` (a multipart upload):
// the file is sent in pieces as it is read, never whole in memory.
struct FileBodyPart {
    std::string prefix;
    std::string path;
    std::uint64_t size = 0;
    std::string suffix;
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;  // absolute http(s) URL
    std::vector<HttpHeader> headers;
    std::string body;                                  // sent with Content-Length when non-empty
    std::optional<FileBodyPart> file_body;             // instead of `body`
    std::optional<std::chrono::milliseconds> timeout;  // overrides HttpClientOptions::request_timeout
};

struct HttpResponse {
    unsigned status = 0;
    std::string content_type;
    std::optional<std::chrono::seconds> retry_after;  // a Retry-After header in seconds, when present
    std::string body;
};

struct DownloadResult {
    unsigned status = 0;
    std::uint64_t bytes = 0;  // written to the file (status 200 only)
    std::string sha256_hex;   // of those bytes, lower-case (status 200 only)
    std::string content_type;
    std::string error_body;  // other statuses: the body (at most 64 KiB); no file is created
};

struct HttpClientOptions {
    std::chrono::milliseconds connect_timeout{3'000};   // TCP connect, and again for the TLS handshake
    std::chrono::milliseconds request_timeout{10'000};  // total per request: connect, write and read
    std::chrono::milliseconds download_timeout{300'000};
    // Sends hold a connection for Meta's whole answer (~250 ms): 300 sends/s keep ~75 busy, and every connection
    // the pool cannot keep idle is a new TLS handshake later.
    std::size_t max_idle_per_origin = 128;
    std::chrono::milliseconds max_idle_age{50'000};  // idle connections older than this are closed, not reused
    std::size_t max_response_bytes = 4 * 1024 * 1024;
    std::optional<std::string> ca_file;  // trusted in addition to the system's roots (GRAPH_CA_FILE)
    bool use_system_roots = true;
    // Where downloads write their bytes (off the I/O threads); none: written inline (tests of the client alone).
    FileThreads* file_threads = nullptr;
};

class HttpClient {
public:
    // Throws std::runtime_error when the CA file cannot be loaded. `metrics` must outlive the client.
    HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options,
               observability::MetricsRegistry& metrics);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Throws std::invalid_argument for a malformed URL or method, HttpError for transport failures.
    // A GET, HEAD, PUT or DELETE on a reused connection that the server had closed (nothing of the response
    // received) is retried once on a new connection; a POST or PATCH is not (the server may have acted on it).
    boost::asio::awaitable<HttpResponse> request(HttpRequest request);

    // GET `url`; a 200 body is streamed to `path` (created or truncated, mode 0600) and hashed on the way; past
    // `max_bytes` → HttpError too_large and the partial file is removed. Other statuses leave no file.
    boost::asio::awaitable<DownloadResult> download_to_file(std::string url, std::vector<HttpHeader> headers,
                                                            std::string path, std::uint64_t max_bytes);

    std::size_t idle_connections() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace inbox::graph
