#pragma once
// Uploads (migration 0013): recorded once their bytes are in the media store, found only by members of their
// account (another account's upload is not found).
#include "inbox/storage/db_lane.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "inbox/domain/time.hpp"

namespace inbox::storage {

class DbPool;

struct NewUpload {
    std::string account_id;
    std::string uploaded_by;
    std::string kind;
    std::string mime_type;
    std::uint64_t file_size = 0;
    std::string sha256;
    std::optional<std::string> filename;
};

struct StoredUpload {
    std::string id;
    std::string account_id;
    std::string kind;
    std::string mime_type;
    std::uint64_t file_size = 0;
    std::string sha256;
    std::optional<std::string> filename;
    domain::TimePoint created_at;
    // Meta's id for these bytes on the account's number, while it is younger than kGraphMediaIdLife.
    std::optional<std::string> graph_media_id;
};

// Meta keeps an uploaded media id 30 days; a day less leaves room for a send that starts near the end.
inline constexpr std::chrono::hours kGraphMediaIdLife{24 * 29};

class UploadRepository {
public:
    explicit UploadRepository(DbPool& pool) : lane_(pool, "uploads") {}

    // The new row; nullopt when `uploaded_by` is not a member of the account (nothing is written then).
    boost::asio::awaitable<std::optional<StoredUpload>> insert(NewUpload upload);
    // nullopt: no such upload in an account of this user.
    boost::asio::awaitable<std::optional<StoredUpload>> find(std::string user_id, std::string upload_id);
    // Meta's id for the upload's bytes, reused by later sends of it (uploads are per account, like media ids).
    boost::asio::awaitable<void> remember_graph_media_id(std::string upload_id, std::string graph_media_id);

private:
    DbLane lane_;
};

}  // namespace inbox::storage
