#pragma once
// An open file descriptor, closed when the last owner lets go (a media response being written, a store lookup).
#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <string>

namespace inbox {

class OpenFile {
public:
    OpenFile() = default;
    // Opens `path` read-only; an empty OpenFile when it cannot (missing, no permission).
    static OpenFile read_only(const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return {};
        return OpenFile(fd);
    }

    explicit operator bool() const noexcept { return fd_ != nullptr; }
    int fd() const noexcept { return fd_ ? *fd_ : -1; }

private:
    explicit OpenFile(int fd)
        : fd_(new int(fd), [](const int* owned) {
              ::close(*owned);
              delete owned;
          }) {}

    std::shared_ptr<const int> fd_;
};

}  // namespace inbox
