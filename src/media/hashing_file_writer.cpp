#include "inbox/media/hashing_file_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace inbox::media {

HashingFileWriter::HashingFileWriter(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + path_);
}

HashingFileWriter::~HashingFileWriter() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
}

void HashingFileWriter::write(std::string_view bytes) {
    sha256_.update(bytes);
    while (!bytes.empty()) {
        const auto n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::generic_category(), "cannot write " + path_);
        bytes.remove_prefix(static_cast<std::size_t>(n));
        bytes_ += static_cast<std::uint64_t>(n);
    }
}

std::string HashingFileWriter::commit() {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw std::system_error(errno, std::generic_category(), "cannot close " + path_);
    committed_ = true;
    return sha256_.finish_hex();
}

}  // namespace inbox::media
