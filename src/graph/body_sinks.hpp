#pragma once
// Where a streamed response body goes, chunk by chunk: a file (hashed on the way) or a small string.
#include <cstdint>
#include <string>
#include <string_view>

#include "inbox/media/hashing_file_writer.hpp"

namespace inbox::graph {

class BodySink {
public:
    virtual ~BodySink() = default;
    // Throws HttpError too_large past the sink's limit, std::system_error when the bytes cannot be stored.
    virtual void consume(std::string_view chunk) = 0;
};

// A download into a new file (media::HashingFileWriter: removed unless committed), at most `max_bytes`.
class FileSink final : public BodySink {
public:
    FileSink(std::string path, std::uint64_t max_bytes) : file_(std::move(path)), max_bytes_(max_bytes) {}

    void consume(std::string_view chunk) override;
    // Closes the file (reporting a close failure) and returns the hex SHA-256 of what was written.
    std::string commit() { return file_.commit(); }
    std::uint64_t bytes() const noexcept { return file_.bytes(); }

private:
    media::HashingFileWriter file_;
    std::uint64_t max_bytes_;
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
