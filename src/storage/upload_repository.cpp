#include "inbox/storage/upload_repository.hpp"

#include "inbox/storage/db_pool.hpp"
#include "pg_fields.hpp"

namespace inbox::storage {
namespace {

#define INBOX_UPLOAD_COLUMNS(u)                                                                                 \
    u ".id::text, " u ".account_id::text, " u ".kind, " u ".mime_type, " u ".file_size, " u ".sha256, " u       \
    ".filename, " INBOX_PG_MICROS(u ".created_at") ", " u ".graph_media_id, " INBOX_PG_MICROS(u ".graph_media_id_at")

// Membership is part of the statement: an upload for an account the user is not in is never written.
constexpr Query kInsertUpload{
    "uploads_insert",
    "INSERT INTO uploads AS u (account_id, uploaded_by, kind, mime_type, file_size, sha256, filename)"
    " SELECT mb.account_id, mb.user_id, $3, $4, $5, $6, $7 FROM account_members mb"
    " WHERE mb.account_id = $1::uuid AND mb.user_id = $2"
    " RETURNING " INBOX_UPLOAD_COLUMNS("u")};

constexpr Query kFindUpload{
    "uploads_find",
    "SELECT " INBOX_UPLOAD_COLUMNS("u") " FROM uploads u"
    " JOIN account_members mb ON mb.account_id = u.account_id AND mb.user_id = $1"
    " WHERE u.id = $2::uuid"};

constexpr Query kRememberGraphMediaId{
    "uploads_remember_graph_media_id",
    "UPDATE uploads SET graph_media_id = $2, graph_media_id_at = now() WHERE id = $1::uuid"};

#undef INBOX_UPLOAD_COLUMNS

StoredUpload upload_from(const pqxx::row& row) {
    StoredUpload upload{row[0].as<std::string>(),   row[1].as<std::string>(), row[2].as<std::string>(),
                        row[3].as<std::string>(),   row[4].as<std::uint64_t>(), row[5].as<std::string>(),
                        optional_text(row[6]),      time_from_micros(row[7]),  std::nullopt};
    const auto uploaded_at = optional_time_from_micros(row[9]);
    if (uploaded_at && std::chrono::system_clock::now() - *uploaded_at < kGraphMediaIdLife) {
        upload.graph_media_id = optional_text(row[8]);
    }
    return upload;
}

}  // namespace

// Not coroutines, on purpose (GCC 12, see docs/ARCHITECTURE.md).
boost::asio::awaitable<std::optional<StoredUpload>> UploadRepository::insert(NewUpload upload) {
    return lane_.run([upload = std::move(upload)](DbConnection& db) -> std::optional<StoredUpload> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kInsertUpload, upload.account_id, upload.uploaded_by, upload.kind,
                              upload.mime_type, static_cast<long long>(upload.file_size), upload.sha256,
                              nullable(upload.filename));
        if (result.empty()) return std::nullopt;
        return upload_from(result[0]);
    });
}

boost::asio::awaitable<std::optional<StoredUpload>> UploadRepository::find(std::string user_id,
                                                                          std::string upload_id) {
    return lane_.run([user_id = std::move(user_id),
                      upload_id = std::move(upload_id)](DbConnection& db) -> std::optional<StoredUpload> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kFindUpload, user_id, upload_id);
        if (result.empty()) return std::nullopt;
        return upload_from(result[0]);
    });
}

boost::asio::awaitable<void> UploadRepository::remember_graph_media_id(std::string upload_id,
                                                                      std::string graph_media_id) {
    return lane_.run([upload_id = std::move(upload_id), graph_media_id = std::move(graph_media_id)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        db.exec(tx, kRememberGraphMediaId, upload_id, graph_media_id);
    });
}

}  // namespace inbox::storage
