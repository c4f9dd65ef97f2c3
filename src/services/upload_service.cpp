#include "inbox/services/upload_service.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <system_error>
#include <vector>

#include "inbox/domain/upload_type.hpp"
#include "inbox/media/hashing_file_writer.hpp"
#include "inbox/media/media_store.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/storage/account_repository.hpp"
#include "inbox/util/errors.hpp"
#include "inbox/util/file_threads.hpp"

namespace inbox::services {
namespace {

constexpr std::size_t kChunkBytes = 64 * 1024;
using Kind = UploadOutcome::Kind;

UploadOutcome refused(Kind kind, std::string detail) { return UploadOutcome{kind, std::nullopt, std::move(detail)}; }

std::string too_large_text(const domain::UploadType& type, std::uint64_t limit) {
    return std::string(domain::to_string(type.kind)) + " files of type " + type.mime_type + " are limited to " +
           std::to_string(limit) + " bytes";
}

std::string_view outcome_label(Kind kind) {
    switch (kind) {
        case Kind::stored: return "stored";
        case Kind::not_found: return "not_found";
        case Kind::unsupported_type: return "unsupported_type";
        case Kind::too_large: return "too_large";
        case Kind::wrong_content: return "wrong_content";
    }
    return "not_found";
}

}  // namespace

UploadService::UploadService(storage::UploadRepository& uploads, storage::AccountRepository& accounts,
                             media::MediaStore& store, FileThreads& file_threads,
                             observability::MetricsRegistry& metrics)
    : uploads_(uploads),
      accounts_(accounts),
      store_(store),
      file_threads_(file_threads),
      metrics_(metrics),
      bytes_(&metrics.counter("inbox_upload_bytes_total", "Bytes of uploads stored in the media store")) {}

// A media store that cannot write (a full or failing disk) is a backing service away, not a bug: 503, and the
// writer has removed its temp file.
boost::asio::awaitable<UploadOutcome> UploadService::receive(UploadInput input, ChunkSource read) {
    std::optional<UploadOutcome> outcome;
    std::string store_error;
    try {
        outcome = co_await receive_unrecorded(std::move(input), std::move(read));
    } catch (const std::system_error& error) {
        store_error = error.what();
    }
    if (!outcome) {
        spdlog::warn("upload: the media store could not keep it: {}", store_error);
        throw UnavailableError("the media store could not keep the upload: " + store_error);
    }
    count(*outcome);
    co_return std::move(*outcome);
}

// Not in the coroutine: GCC 12 mishandles braced label lists there (docs/ARCHITECTURE.md).
void UploadService::count(const UploadOutcome& outcome) {
    metrics_.counter("inbox_uploads_total", "Uploads by outcome", {{"outcome", std::string(outcome_label(outcome.kind))}})
        .inc();
    if (outcome.upload) bytes_->inc(static_cast<double>(outcome.upload->file_size));
}

boost::asio::awaitable<UploadOutcome> UploadService::receive_unrecorded(UploadInput input, ChunkSource read) {
    if (!co_await accounts_.is_member(input.user_id, input.account_id)) {
        co_return refused(Kind::not_found, "account not found");
    }
    const auto type = domain::upload_type(input.content_type);
    if (!type) {
        co_return refused(Kind::unsupported_type,
                          "WhatsApp does not accept " + (input.content_type.empty() ? std::string("this type")
                                                                                     : input.content_type) +
                              " (see the upload types in the API contract)");
    }
    if (input.declared_size && *input.declared_size > type->max_bytes) {
        co_return refused(Kind::too_large, too_large_text(*type, type->max_bytes));
    }

    auto writer = std::make_shared<media::HashingFileWriter>(store_.temp_path());
    std::vector<char> chunk(kChunkBytes);
    std::string head;  // the first kMagicBytes, to check the type before storing more than one chunk
    std::optional<std::uint64_t> limit;
    for (;;) {
        const auto got = co_await read(std::span<char>(chunk.data(), chunk.size()));
        const auto bytes = std::string_view(chunk.data(), got);
        if (!limit && head.size() < domain::kMagicBytes) {
            head.append(bytes.substr(0, domain::kMagicBytes - head.size()));
        }
        if (!limit && (head.size() >= domain::kMagicBytes || got == 0)) {
            if (head.empty()) co_return refused(Kind::wrong_content, "the file is empty");
            if (domain::check_magic(*type, head) != domain::MagicVerdict::matches) {
                co_return refused(Kind::wrong_content, "the bytes are not " + type->mime_type + " (magic number)");
            }
            limit = domain::max_bytes_for(*type, head);
        }
        if (got == 0) break;
        if (writer->bytes() + got > limit.value_or(type->max_bytes)) {
            co_return refused(Kind::too_large, too_large_text(*type, limit.value_or(type->max_bytes)));
        }
        auto write = [writer, bytes] { writer->write(bytes); };
        co_await file_threads_.run(write);
    }

    auto commit = [writer] { return writer->commit(); };
    const auto sha256 = co_await file_threads_.run(commit);
    const auto key = co_await store_.adopt_off_loop(writer->path(), sha256, type->mime_type);
    storage::NewUpload row;
    row.account_id = input.account_id;
    row.uploaded_by = input.user_id;
    row.kind = domain::to_string(type->kind);
    row.mime_type = type->mime_type;
    row.file_size = writer->bytes();
    row.sha256 = key;
    row.filename = input.filename;
    auto stored = co_await uploads_.insert(std::move(row));
    if (!stored) co_return refused(Kind::not_found, "account not found");
    co_return UploadOutcome{Kind::stored, std::move(stored), {}};
}

}  // namespace inbox::services
