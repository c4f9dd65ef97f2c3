#pragma once
// Transport failures of the Graph HTTP client, typed so callers can tell "never sent" from "maybe processed".
#include <stdexcept>
#include <string>

namespace inbox::graph {

enum class HttpErrorKind {
    connect_failed,    // DNS, refused, unreachable or connect timeout: the request was never sent
    tls_failed,        // handshake or certificate verification failed: never sent
    timeout,           // the request's deadline passed while writing or reading
    connection_reset,  // the peer closed or reset the connection before the response was complete
    too_large,         // the response body exceeds the caller's limit
    bad_response,      // not parseable HTTP
};

const char* to_string(HttpErrorKind kind) noexcept;

class HttpError : public std::runtime_error {
public:
    HttpError(HttpErrorKind kind, const std::string& message)
        : std::runtime_error(std::string(to_string(kind)) + ": " + message), kind_(kind) {}
    HttpErrorKind kind() const noexcept { return kind_; }

private:
    HttpErrorKind kind_;
};

}  // namespace inbox::graph
