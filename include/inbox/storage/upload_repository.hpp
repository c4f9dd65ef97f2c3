#pragma once
// Uploads (migration 0013): recorded once their bytes are in the media store, found only by members of their
// account (another account's upload is not found).
#include "inbox/storage/db_lane.hpp"

#include <boost/asio/awaitable.hpp>

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
};

class UploadRepository {
public:
    explicit UploadRepository(DbPool& pool) : lane_(pool, "uploads") {}

    // The new row; nullopt when `uploaded_by` is not a member of the account (nothing is written then).
    boost::asio::awaitable<std::optional<StoredUpload>> insert(NewUpload upload);
    // nullopt: no such upload in an account of this user.
    boost::asio::awaitable<std::optional<StoredUpload>> find(std::string user_id, std::string upload_id);

private:
    DbLane lane_;
};

}  // namespace inbox::storage
