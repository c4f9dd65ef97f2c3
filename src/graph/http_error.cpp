#include "inbox/graph/http_error.hpp"

namespace inbox::graph {

const char* to_string(HttpErrorKind kind) noexcept {
    switch (kind) {
        case HttpErrorKind::connect_failed:
            return "connect_failed";
        case HttpErrorKind::tls_failed:
            return "tls_failed";
        case HttpErrorKind::timeout:
            return "timeout";
        case HttpErrorKind::connection_reset:
            return "connection_reset";
        case HttpErrorKind::too_large:
            return "too_large";
        case HttpErrorKind::bad_response:
            return "bad_response";
    }
    return "unknown";
}

}  // namespace inbox::graph
