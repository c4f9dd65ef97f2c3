#include "inbox/graph/graph_error.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

namespace inbox::graph {
namespace {

constexpr std::array kTransientCodes{1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131056};
constexpr std::array kPermanentCodes{100,    131008, 131009, 131026, 131030, 131047,
                                     131051, 131053, 132000, 132001, 190};
constexpr std::array kThrottlingCodes{4, 17, 341, 80007, 130429, 131056};
constexpr std::array kAccountThrottlingCodes{80007, 130429, 131056};

constexpr int kRetryAfterOutageSeconds = 1;
constexpr int kRetryAfterThrottlingSeconds = 5;

template <std::size_t N>
bool contains(const std::array<int, N>& codes, int code) noexcept {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

std::string string_member(const nlohmann::json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

Classification unavailable(int retry_after_seconds) {
    return {.verdict = Verdict::unavailable, .breaker_failure = true, .retry_after_seconds = retry_after_seconds};
}

}  // namespace

std::optional<GraphError> parse_graph_error(std::string_view body) {
    const auto document = nlohmann::json::parse(body, nullptr, false);
    if (document.is_discarded() || !document.is_object()) return std::nullopt;
    const auto error = document.find("error");
    if (error == document.end() || !error->is_object()) return std::nullopt;
    const auto code = error->find("code");
    if (code == error->end() || !code->is_number_integer()) return std::nullopt;

    GraphError parsed;
    parsed.code = code->get<int>();
    if (const auto subcode = error->find("error_subcode"); subcode != error->end() && subcode->is_number_integer()) {
        parsed.subcode = subcode->get<int>();
    }
    parsed.type = string_member(*error, "type");
    parsed.message = string_member(*error, "message");
    parsed.fbtrace_id = string_member(*error, "fbtrace_id");
    if (const auto data = error->find("error_data"); data != error->end() && data->is_object()) {
        parsed.details = string_member(*data, "details");
    }
    return parsed;
}

bool is_transient_code(int code) noexcept { return contains(kTransientCodes, code); }
bool is_permanent_code(int code) noexcept { return contains(kPermanentCodes, code); }
bool is_throttling_code(int code) noexcept { return contains(kThrottlingCodes, code); }
bool is_account_throttling_code(int code) noexcept { return contains(kAccountThrottlingCodes, code); }

bool is_object_missing(const GraphError& error) noexcept { return error.code == 100 && error.subcode == 33; }

Classification classify(unsigned http_status, const std::optional<GraphError>& error) noexcept {
    if (error) {
        if (is_transient_code(error->code)) {
            auto verdict = unavailable(is_throttling_code(error->code) ? kRetryAfterThrottlingSeconds
                                                                       : kRetryAfterOutageSeconds);
            verdict.breaker_failure = !is_account_throttling_code(error->code);
            return verdict;
        }
        if (is_permanent_code(error->code)) {
            return {.verdict = Verdict::refused, .object_missing = is_object_missing(*error)};
        }
    }
    // Unknown code or no Graph body: the status decides. 429 and 5xx are the upstream's trouble, the rest ours.
    if (http_status == 429) return unavailable(kRetryAfterThrottlingSeconds);
    if (http_status >= 500) return unavailable(kRetryAfterOutageSeconds);
    return {.verdict = Verdict::refused};
}

}  // namespace inbox::graph
