#include "body_sinks.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "inbox/graph/http_error.hpp"

namespace inbox::graph {

FileSink::FileSink(std::string path, std::uint64_t max_bytes) : path_(std::move(path)), max_bytes_(max_bytes) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + path_);
}

FileSink::~FileSink() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
}

void FileSink::consume(std::string_view chunk) {
    if (chunk.size() > max_bytes_ - bytes_) {
        throw HttpError(HttpErrorKind::too_large, "download exceeds " + std::to_string(max_bytes_) + " bytes");
    }
    sha256_.update(chunk);
    while (!chunk.empty()) {
        const auto n = ::write(fd_, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::generic_category(), "cannot write " + path_);
        chunk.remove_prefix(static_cast<std::size_t>(n));
        bytes_ += static_cast<std::uint64_t>(n);
    }
}

std::string FileSink::commit() {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw std::system_error(errno, std::generic_category(), "cannot close " + path_);
    committed_ = true;
    return sha256_.finish_hex();
}

void StringSink::consume(std::string_view chunk) {
    if (chunk.size() > max_bytes_ - text_.size()) {
        throw HttpError(HttpErrorKind::too_large, "response body exceeds " + std::to_string(max_bytes_) + " bytes");
    }
    text_.append(chunk);
}

}  // namespace inbox::graph
