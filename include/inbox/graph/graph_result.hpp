#pragma once
// The typed outcome of a Graph call: the value, Meta's refusal (an answer: map to upstream_error), or "try later"
// (timeout, connection failure, 5xx, throttling, open circuit: map to upstream_unavailable + Retry-After).
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace inbox::graph {

// The titles of the refusals download_media makes itself (http_status and code 0), before or instead of Meta.
inline constexpr const char* kMediaHostNotAllowed = "media host not allowed";
inline constexpr const char* kMediaTooLarge = "media too large";

struct GraphRefusal {
    unsigned http_status = 0;  // 0 when refused before any call (e.g. a media host not in the allow-list)
    int code = 0;              // Meta's error.code; 0 when the answer carried none
    std::optional<int> subcode;
    std::string title;    // Meta's error.message, or our own reason when code is 0
    std::string details;  // error.error_data.details
    std::string fbtrace_id;

    // Graph's "object does not exist" (code 100, subcode 33): for a media id, the media expired.
    bool object_missing() const noexcept { return code == 100 && subcode == 33; }
};

struct GraphUnavailable {
    std::string reason;  // circuit_open, timeout, connect_failed, tls_failed, connection_reset, bad_response,
                         // too_large, malformed_response, graph_error (graph_code says which), http_<status>
    int retry_after_seconds = 1;
    int graph_code = 0;        // the transient Graph code, when Meta sent one
    unsigned http_status = 0;  // the answer's status, when there was one
};

template <typename T>
class GraphResult {
public:
    // Asio's co_spawn needs a default value for its failure path; GraphClient never returns this one.
    GraphResult() : outcome_(GraphUnavailable{.reason = "no_result"}) {}
    GraphResult(T value) : outcome_(std::move(value)) {}  // NOLINT: implicit by design, like std::expected
    GraphResult(GraphRefusal refusal) : outcome_(std::move(refusal)) {}
    GraphResult(GraphUnavailable unavailable) : outcome_(std::move(unavailable)) {}

    bool ok() const noexcept { return std::holds_alternative<T>(outcome_); }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return checked(); }
    const T& value() const& { return const_cast<GraphResult*>(this)->checked(); }
    T&& value() && { return std::move(checked()); }

    const GraphRefusal* refused() const noexcept { return std::get_if<GraphRefusal>(&outcome_); }
    const GraphUnavailable* unavailable() const noexcept { return std::get_if<GraphUnavailable>(&outcome_); }
    // Refused with "object does not exist": an expired media id.
    bool expired() const noexcept { return refused() && refused()->object_missing(); }

private:
    T& checked() {
        if (auto* value = std::get_if<T>(&outcome_)) return *value;
        throw std::logic_error("GraphResult::value() on a failed Graph call");
    }

    std::variant<T, GraphRefusal, GraphUnavailable> outcome_;
};

}  // namespace inbox::graph
