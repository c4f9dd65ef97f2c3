#pragma once
// Receives an agent's upload (API.md Part 2, "Uploads and outbound media"): checks the account and the type before
// reading a byte, streams the body into the media store's temp directory (hashed on the way, written on the file
// threads, never whole in memory), checks the magic number and the kind's size while it comes, then moves the file
// into the store under its SHA-256 and records the upload.
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "inbox/storage/upload_repository.hpp"

namespace inbox {
class FileThreads;
}
namespace inbox::media {
class MediaStore;
}
namespace inbox::observability {
class Counter;
class MetricsRegistry;
}  // namespace inbox::observability
namespace inbox::storage {
class AccountRepository;
}

namespace inbox::services {

struct UploadInput {
    std::string user_id;
    std::string account_id;
    std::string content_type;
    std::optional<std::string> filename;
    std::optional<std::uint64_t> declared_size;  // Content-Length, when the body has one
};

// Up to `into.size()` bytes of the body; 0 at its end. May throw (the transport's errors pass through).
using ChunkSource = std::function<boost::asio::awaitable<std::size_t>(std::span<char> into)>;

struct UploadOutcome {
    enum class Kind { stored, not_found, unsupported_type, too_large, wrong_content };
    Kind kind = Kind::not_found;
    std::optional<storage::StoredUpload> upload;  // for stored
    std::string detail;                           // why, for the others
};

class UploadService {
public:
    UploadService(storage::UploadRepository& uploads, storage::AccountRepository& accounts, media::MediaStore& store,
                  FileThreads& file_threads, observability::MetricsRegistry& metrics);

    // Reads the body only when the account and the type allow it; stops reading at the first problem (the caller
    // then closes the connection: the rest of the body is never read). Throws UnavailableError when the media store
    // cannot write (503).
    boost::asio::awaitable<UploadOutcome> receive(UploadInput input, ChunkSource read);

private:
    boost::asio::awaitable<UploadOutcome> receive_unrecorded(UploadInput input, ChunkSource read);
    void count(const UploadOutcome& outcome);

    storage::UploadRepository& uploads_;
    storage::AccountRepository& accounts_;
    media::MediaStore& store_;
    FileThreads& file_threads_;
    observability::MetricsRegistry& metrics_;
    observability::Counter* bytes_;
};

}  // namespace inbox::services
