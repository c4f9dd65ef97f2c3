#pragma once
// Builders for the response shapes of API.md.
#include "inbox/http/api_error.hpp"
#include "inbox/http/types.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace inbox::http {

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

Response json_response(Status status, const nlohmann::json& body);
// `body` is JSON text already (http/json_writer.hpp).
Response json_text_response(Status status, std::string body);
Response text_response(Status status, std::string body, std::string_view content_type = "text/plain; charset=utf-8");
// {"error": {"code", "message", "request_id", ...extra}} plus Retry-After / WWW-Authenticate where they belong.
Response error_response(const ApiError& error, std::string_view request_id);

// Requires `Content-Type: application/json` and a JSON object body; throws ApiError (415 / 400 invalid_json).
nlohmann::json parse_json_object_body(const Request& request);

}  // namespace inbox::http
