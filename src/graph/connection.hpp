#pragma once
// One pooled client connection (plain TCP or TLS), opaque outside the Beast translation units.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "inbox/graph/http_error.hpp"

namespace boost::asio::ssl {
class context;
}

namespace inbox::graph {

using Deadline = std::chrono::steady_clock::time_point;

// Where a connection goes; `key()` names its pool.
struct Origin {
    bool tls = false;
    std::string host;  // as in the URL, without IPv6 brackets
    std::uint16_t port = 0;

    std::string key() const;
    std::string host_header() const;  // host[:port], the port only when not the scheme's default
};

struct ParsedUrl {
    Origin origin;
    std::string target;  // origin-form: path and query, "/" when empty
};

// Throws std::invalid_argument unless `url` is an absolute http(s) URL with a host.
ParsedUrl parse_http_url(std::string_view url);

// Verifies peers against the system roots (when asked) plus `ca_file`. Throws std::runtime_error.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(bool use_system_roots,
                                                            const std::optional<std::string>& ca_file);

// A failure on a reused connection before any byte of the response arrived: the server had closed it while it
// sat idle, so the request can go again on a new connection.
class StaleConnectionError : public HttpError {
public:
    explicit StaleConnectionError(const std::string& message) : HttpError(HttpErrorKind::connection_reset, message) {}
};

struct Connection;
struct ConnectionDeleter {
    void operator()(Connection* connection) const noexcept;
};
using ConnectionPtr = std::unique_ptr<Connection, ConnectionDeleter>;

// An unconnected connection on a strand of its own; `tls` is required when origin.tls.
ConnectionPtr make_connection(const boost::asio::any_io_executor& executor, const Origin& origin,
                              const std::shared_ptr<boost::asio::ssl::context>& tls);
// Every operation on the connection runs on this executor (co_spawn there).
boost::asio::any_io_executor connection_executor(Connection& connection);

// Resolves, connects (TCP_NODELAY) and, for TLS, handshakes with SNI and host-name verification. Each step must
// finish by min(step_deadline(now), request_deadline). Throws HttpError connect_failed or tls_failed.
boost::asio::awaitable<void> open(Connection& connection, Deadline request_deadline,
                                  std::chrono::milliseconds step_timeout);

// False when an idle connection already saw the peer's FIN, an error or unexpected bytes (never blocks).
bool looks_alive(Connection& connection) noexcept;

}  // namespace inbox::graph
