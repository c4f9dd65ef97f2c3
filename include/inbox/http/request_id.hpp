#pragma once
#include <string>
#include <string_view>

namespace inbox::http {

// The caller's X-Request-Id when it is sane (1–128 chars of [A-Za-z0-9._-]), otherwise a fresh random id.
std::string accept_or_generate_request_id(std::string_view incoming);
bool is_acceptable_request_id(std::string_view value);

}  // namespace inbox::http
