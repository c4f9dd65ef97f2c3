#pragma once
// Meta's Graph error body and what it means for us. Pure: no I/O, unit-tested as a table.
//
// Decisions key on `error.code`, not on the HTTP status (PITFALLS.md): Meta answers throttling with 400 and some
// permanent refusals with 404. The status only decides for codes we do not know.
#include <optional>
#include <string>
#include <string_view>

namespace inbox::graph {

// `{"error":{"message","type","code","error_subcode","error_data":{"details"},"fbtrace_id"}}`
struct GraphError {
    int code = 0;
    std::optional<int> subcode;
    std::string type;
    std::string message;  // Meta's title, e.g. "(#131047) Re-engagement message"
    std::string details;  // error_data.details, often the only actionable text
    std::string fbtrace_id;
};

// nullopt when the body is not JSON or has no `error` object with an integer `code`.
std::optional<GraphError> parse_graph_error(std::string_view body);

// Codes Meta documents as worth retrying later (rate limits, outages).
bool is_transient_code(int code) noexcept;
// Codes that are answers about the request itself; retrying the same request fails the same way.
bool is_permanent_code(int code) noexcept;
// Throttling codes: callers should wait longer before retrying than after an outage blip.
bool is_throttling_code(int code) noexcept;
// The throttling codes that limit one business number, WABA or customer (80007, 130429, 131056) rather than our
// app: the send path's per-number throttle holds that number back, and they are no breaker failure, since a
// family's breaker is shared by every account and one busy number must not stop the others' sends.
bool is_account_throttling_code(int code) noexcept;

enum class Verdict {
    refused,      // Meta answered "no": map to upstream_error, not a breaker failure
    unavailable,  // try later: a breaker failure
};

struct Classification {
    Verdict verdict = Verdict::refused;
    bool breaker_failure = false;  // unavailable, except for the account throttling codes
    bool object_missing = false;   // code 100 + subcode 33: "object does not exist" (an expired media id)
    int retry_after_seconds = 0;   // a suggestion when unavailable (0 when refused)
};

// Classifies a non-2xx answer: the parsed error (if any) first, the HTTP status for unknown or missing codes.
Classification classify(unsigned http_status, const std::optional<GraphError>& error) noexcept;

// code 100 with subcode 33.
bool is_object_missing(const GraphError& error) noexcept;

}  // namespace inbox::graph
