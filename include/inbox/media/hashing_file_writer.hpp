#pragma once
// A new file written in pieces and hashed on the way (downloads from Meta, uploads from agents): created with mode
// 0600; unless commit() is called, the destructor removes it, so a failed transfer never leaves a partial file.
// Blocking writes: callers run it on the file threads (util/file_threads.hpp).
#include <cstdint>
#include <string>
#include <string_view>

#include "inbox/auth/sha256_stream.hpp"

namespace inbox::media {

class HashingFileWriter {
public:
    // Creates (or truncates) `path`; throws std::system_error when it cannot.
    explicit HashingFileWriter(std::string path);
    ~HashingFileWriter();
    HashingFileWriter(const HashingFileWriter&) = delete;
    HashingFileWriter& operator=(const HashingFileWriter&) = delete;

    // Throws std::system_error when the bytes cannot be written (a full disk).
    void write(std::string_view bytes);
    // Closes the file (reporting a close failure) and answers the hex SHA-256 of what was written.
    std::string commit();
    std::uint64_t bytes() const noexcept { return bytes_; }
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
    std::uint64_t bytes_ = 0;
    int fd_ = -1;
    bool committed_ = false;
    auth::Sha256Stream sha256_;
};

}  // namespace inbox::media
