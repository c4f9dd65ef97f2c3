#pragma once
// 422 outside_free_window (API.md "Sending"): the customer's 24 h window is closed; `window_expired_at` says when
// (null for a contact who never wrote). One shape for every route that needs the window: sends, reactions.
#include <optional>
#include <string>

#include "inbox/domain/time.hpp"
#include "inbox/http/api_error.hpp"

namespace inbox::api {

http::ApiError outside_free_window_error(const std::optional<domain::TimePoint>& expired_at, std::string message);

}  // namespace inbox::api
