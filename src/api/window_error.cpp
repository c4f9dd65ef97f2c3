#include "inbox/api/window_error.hpp"

namespace inbox::api {

http::ApiError outside_free_window_error(const std::optional<domain::TimePoint>& expired_at, std::string message) {
    nlohmann::json extra = {{"window_expired_at", nullptr}};
    if (expired_at) extra["window_expired_at"] = domain::to_rfc3339(*expired_at);
    return http::ApiError{http::Status::unprocessable_entity, "outside_free_window", std::move(message),
                          std::move(extra)};
}

}  // namespace inbox::api
