#pragma once
// The fake's behaviour switches ("knobs"): latency, injected failures, media shapes. Plain data plus JSON
// (de)serialisation; no I/O, so it is testable on its own.
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace fake_graph {

// The endpoint families each knob set applies to.
enum class Family { messages, media_meta, media_download, templates, contacts, media_upload };
inline constexpr std::array kFamilies{Family::messages,  Family::media_meta, Family::media_download,
                                      Family::templates, Family::contacts,   Family::media_upload};

std::string_view to_string(Family family);
std::optional<Family> family_from_string(std::string_view name);

enum class FailureMode {
    none,
    error,  // answer with an HTTP status and a Graph error body
    hang,   // never answer; the connection stays open until the client gives up
    reset,  // close the socket (RST) without answering
};

struct Failure {
    FailureMode mode = FailureMode::none;
    std::optional<int> status;  // HTTP status; absent → the catalog's status for `code`
    int code = 131000;
    std::optional<int> subcode;
    std::string message;  // empty → the catalog's message for `code`
    std::string details;
    double rate = 1.0;         // probability of failing a call when `count` is absent
    std::optional<int> count;  // present → exactly the next N calls fail, then the rule is spent
};

struct FamilyKnobs {
    int latency_ms = 0;
    int jitter_ms = 0;  // uniform extra delay in [0, jitter_ms]
    Failure failure;
};

inline constexpr std::uint64_t kMaxMediaSize = 1024ULL * 1024 * 1024;

struct MediaSpec {
    std::uint64_t size = 64 * 1024;
    std::string mime_type = "image/jpeg";
    bool wrong_sha256 = false;  // advertise a digest that does not match the bytes
    bool sha256_base64 = false; // advertise the digest base64-encoded instead of hex
};

// Per media id: only the fields set here differ from `Knobs::media_defaults` (resolved at lookup).
struct MediaOverride {
    std::optional<std::uint64_t> size;
    std::optional<std::string> mime_type;
    std::optional<bool> wrong_sha256;
    std::optional<bool> sha256_base64;
};

// Webhooks the fake posts for every send it accepts, as Meta does (docs/FAKE_GRAPH.md "Webhooks").
struct WebhookKnobs {
    std::string url;         // empty: no webhooks
    std::string app_secret;  // signs X-Hub-Signature-256
    // Share of accepted sends for which, before answering, the fake posts (and waits for the 200 of) one delivery
    // holding an inbound message from the customer and the `sent`/`delivered` statuses of the wamid it is about to
    // return. The other sends get their statuses posted after the answer.
    double before_answer_rate = 0.0;
    int after_delay_ms = 20;  // how long after the answer the statuses of the others follow
};

struct Knobs {
    std::array<FamilyKnobs, kFamilies.size()> families{};
    int connection_delay_ms = 0;              // paid once per accepted connection (a TLS handshake's cost)
    std::optional<std::string> access_token;  // set → Graph calls must present exactly this bearer token
    MediaSpec media_defaults;
    std::map<std::string, MediaOverride> media;  // per media id
    std::set<std::string> expired_media;
    // Template sends, checked as Meta does: to one of these numbers → 131026 (not a WhatsApp user); with
    // `require_known_templates`, a template the store does not hold → 132001 (else only known ones are checked,
    // their parameter counts → 132000).
    std::set<std::string> undeliverable_to;
    bool require_known_templates = false;
    std::size_t record_limit = 10000;  // recorded requests kept per family (oldest dropped first)
    WebhookKnobs webhooks;

    FamilyKnobs& family(Family f) { return families[static_cast<std::size_t>(f)]; }
    const FamilyKnobs& family(Family f) const { return families[static_cast<std::size_t>(f)]; }
    MediaSpec media_spec(const std::string& media_id) const;
};

// Applies a patch in the config-file/control-API shape; keys absent from the patch keep their value.
// Throws std::invalid_argument naming the offending key.
void apply_knobs_patch(Knobs& knobs, const nlohmann::json& patch);
nlohmann::json to_json(const Knobs& knobs);

}  // namespace fake_graph
