#pragma once
// Where a streamed response body goes, chunk by chunk: a file (hashed on the way) or a small string.
#include <cstdint>
#include <string>
#include <string_view>

#include "inbox/graph/sha256_stream.hpp"

namespace inbox::graph {

class BodySink {
public:
    virtual ~BodySink() = default;
    // Throws HttpError too_large past the sink's limit, std::system_error when the bytes cannot be stored.
    virtual void consume(std::string_view chunk) = 0;
};

// Creates (or truncates) `path` with mode 0600. Unless commit() is called, the destructor removes the file: a
// failed download never leaves a partial file behind.
class FileSink final : public BodySink {
public:
    FileSink(std::string path, std::uint64_t max_bytes);
    ~FileSink() override;
    FileSink(const FileSink&) = delete;
    FileSink& operator=(const FileSink&) = delete;

    void consume(std::string_view chunk) override;
    // Closes the file (reporting a close failure) and returns the hex SHA-256 of what was written.
    std::string commit();
    std::uint64_t bytes() const noexcept { return bytes_; }

private:
    std::string path_;
    std::uint64_t max_bytes_;
    std::uint64_t bytes_ = 0;
    int fd_ = -1;
    bool committed_ = false;
    Sha256Stream sha256_;
};

class StringSink final : public BodySink {
public:
    explicit StringSink(std::size_t max_bytes) : max_bytes_(max_bytes) {}
    void consume(std::string_view chunk) override;
    std::string& text() noexcept { return text_; }

private:
    std::size_t max_bytes_;
    std::string text_;
};

}  // namespace inbox::graph
