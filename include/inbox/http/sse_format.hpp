#pragma once
// The text/event-stream wire format (WHATWG HTML "Server-sent events").
#include <string>
#include <string_view>

namespace inbox::http {

// "event: <type>\ndata: <json>\n\n". `json` must be compact JSON text (as http::JsonWriter writes it): it has no
// raw newline, so one data line always suffices.
std::string sse_event(std::string_view type, std::string_view json);

// ": <text>\n\n" — a comment: keeps proxies from closing an idle stream, ignored by EventSource.
std::string sse_comment(std::string_view text);

}  // namespace inbox::http
