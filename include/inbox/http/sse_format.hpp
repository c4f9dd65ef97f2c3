#pragma once
// The text/event-stream wire format (WHATWG HTML "Server-sent events").
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace inbox::http {

// "event: <type>\ndata: <compact JSON>\n\n". Compact JSON has no raw newline, so one data line always suffices.
std::string sse_event(std::string_view type, const nlohmann::json& data);

// ": <text>\n\n" — a comment: keeps proxies from closing an idle stream, ignored by EventSource.
std::string sse_comment(std::string_view text);

}  // namespace inbox::http
