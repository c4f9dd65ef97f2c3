#include "inbox/api/upload_routes.hpp"

#include "inbox/api/query_params.hpp"
#include "inbox/domain/time.hpp"
#include "inbox/domain/upload_type.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/services/upload_service.hpp"

namespace inbox::api {
namespace {

using http::ApiError;
using http::Request;
using http::Response;
using http::Status;
using Kind = services::UploadOutcome::Kind;

// The whole-upload limit of the contract; each kind's own limit is checked as the bytes come.
constexpr std::size_t kUploadBodyLimit = 100 * 1024 * 1024;

std::optional<std::string> filename_of(const Request& request) {
    auto filename = request.query_param("filename");
    if (!filename) return std::nullopt;
    if (auto problem = domain::filename_problem(*filename); !problem.empty()) {
        throw ApiError::validation_failed(problem);
    }
    return filename;
}

nlohmann::json upload_json(const storage::StoredUpload& upload) {
    return {{"id", upload.id},
            {"mime_type", upload.mime_type},
            {"file_size", upload.file_size},
            {"sha256", upload.sha256},
            {"filename", upload.filename ? nlohmann::json(*upload.filename) : nlohmann::json(nullptr)},
            {"kind", upload.kind},
            {"created_at", domain::to_rfc3339(upload.created_at)}};
}

Response upload_response(const services::UploadOutcome& outcome) {
    switch (outcome.kind) {
        case Kind::stored:
            return http::json_response(Status::created, {{"upload", upload_json(*outcome.upload)}});
        case Kind::not_found:
            throw ApiError::not_found(outcome.detail);
        case Kind::unsupported_type:
            throw ApiError::unsupported_media_type(outcome.detail);
        case Kind::too_large:
            throw ApiError{Status::payload_too_large, "payload_too_large", outcome.detail};
        case Kind::wrong_content:
            throw ApiError::validation_failed(outcome.detail);
    }
    throw ApiError::not_found(outcome.detail);
}

}  // namespace

void register_upload_routes(http::Router& router, services::UploadService& uploads) {
    router.add(
        http::Verb::post, "/accounts/{account_id}/uploads",
        [&uploads](Request& request) -> boost::asio::awaitable<Response> {
            services::UploadInput input;
            input.user_id = *request.user_id;
            input.account_id = path_uuid(request, "account_id", "account");
            input.content_type = std::string(request.header(http::Field::content_type));
            input.filename = filename_of(request);
            auto reader = request.body_reader;
            input.declared_size = reader->content_length();
            auto read = [reader](std::span<char> into) { return reader->read_some(into); };
            auto outcome = co_await uploads.receive(std::move(input), read);
            co_return upload_response(outcome);
        },
        http::RouteOptions{.body_limit = kUploadBodyLimit, .streamed_body = true});
}

}  // namespace inbox::api
