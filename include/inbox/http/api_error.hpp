#pragma once
// The one way a handler reports an expected failure: an HTTP status plus API.md's stable error code.
#include "inbox/http/types.hpp"

#include <nlohmann/json.hpp>

#include <exception>
#include <string>

namespace inbox::http {

class ApiError : public std::exception {
public:
    ApiError(Status status, std::string code, std::string message, nlohmann::json extra = nlohmann::json::object())
        : status_(status), code_(std::move(code)), message_(std::move(message)), extra_(std::move(extra)) {}

    const char* what() const noexcept override { return message_.c_str(); }
    Status status() const noexcept { return status_; }
    const std::string& code() const noexcept { return code_; }
    const std::string& message() const noexcept { return message_; }
    // Extra members merged into the "error" object (e.g. window_expired_at, graph_error).
    const nlohmann::json& extra() const noexcept { return extra_; }
    // Seconds for a Retry-After header; 0 = none.
    unsigned retry_after() const noexcept { return retry_after_; }
    ApiError& with_retry_after(unsigned seconds) {
        retry_after_ = seconds;
        return *this;
    }

    static ApiError bad_request(std::string message) { return {Status::bad_request, "bad_request", std::move(message)}; }
    static ApiError invalid_json(std::string message) { return {Status::bad_request, "invalid_json", std::move(message)}; }
    static ApiError invalid_parameter(std::string message) {
        return {Status::bad_request, "invalid_parameter", std::move(message)};
    }
    static ApiError validation_failed(std::string message) {
        return {Status::unprocessable_entity, "validation_failed", std::move(message)};
    }
    static ApiError unauthorized(std::string message) { return {Status::unauthorized, "unauthorized", std::move(message)}; }
    static ApiError not_found(std::string message) { return {Status::not_found, "not_found", std::move(message)}; }
    static ApiError unsupported_media_type(std::string message) {
        return {Status::unsupported_media_type, "unsupported_media_type", std::move(message)};
    }
    static ApiError service_unavailable(std::string message) {
        return ApiError{Status::service_unavailable, "service_unavailable", std::move(message)}.with_retry_after(1);
    }
    // Meta refused (an answer, not an outage); `extra` carries "graph_error".
    static ApiError upstream_error(std::string message, nlohmann::json extra = nlohmann::json::object()) {
        return {Status::bad_gateway, "upstream_error", std::move(message), std::move(extra)};
    }
    // Meta unreachable, failing or throttling, or its circuit open: retry after `retry_after_seconds` (at least 1).
    static ApiError upstream_unavailable(std::string message, unsigned retry_after_seconds) {
        return ApiError{Status::service_unavailable, "upstream_unavailable", std::move(message)}.with_retry_after(
            retry_after_seconds > 0 ? retry_after_seconds : 1);
    }

private:
    Status status_;
    std::string code_;
    std::string message_;
    nlohmann::json extra_;
    unsigned retry_after_ = 0;
};

}  // namespace inbox::http
