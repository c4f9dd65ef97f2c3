#include "body_sinks.hpp"

#include "inbox/graph/http_error.hpp"

namespace inbox::graph {

void FileSink::consume(std::string_view chunk) {
    if (chunk.size() > max_bytes_ - file_.bytes()) {
        throw HttpError(HttpErrorKind::too_large, "download exceeds " + std::to_string(max_bytes_) + " bytes");
    }
    file_.write(chunk);
}

void StringSink::consume(std::string_view chunk) {
    if (chunk.size() > max_bytes_ - text_.size()) {
        throw HttpError(HttpErrorKind::too_large, "response body exceeds " + std::to_string(max_bytes_) + " bytes");
    }
    text_.append(chunk);
}

}  // namespace inbox::graph
