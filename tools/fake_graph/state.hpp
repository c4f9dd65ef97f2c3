#pragma once
// Everything the fake remembers: knobs, counters, recorded requests, templates, contact names.
// Shared by all I/O threads; every member function is thread-safe.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "fake_graph/knobs.hpp"
#include "fake_graph/template_store.hpp"

namespace fake_graph {

struct RecordedRequest {
    std::string method;
    std::string target;
    std::string authorization;
    std::string body;
    std::int64_t at_unix_ms = 0;
};

// What the knobs say about one call: wait this long, then (maybe) fail this way.
struct Decision {
    std::chrono::milliseconds delay{0};
    std::optional<Failure> failure;
};

class State {
public:
    // The start-up config (CLI/--config) is also what POST /_control/reset returns to.
    explicit State(nlohmann::json start_config = nlohmann::json::object());

    // Config/control shape: knob keys (see knobs.hpp) plus "templates": [...] and "contacts": {wa_id: name}.
    // All-or-nothing for the knobs; throws std::invalid_argument.
    void apply_config(const nlohmann::json& config);
    void reset();

    // Counts the call and draws its latency and failure from the family's knobs.
    Decision on_request(Family family);
    void record(Family family, RecordedRequest request);
    nlohmann::json recorded(std::optional<Family> family) const;

    Knobs knobs() const;
    MediaSpec media_spec(const std::string& media_id) const;
    bool media_expired(const std::string& media_id) const;
    std::optional<std::string> access_token() const;
    std::chrono::milliseconds connection_delay() const;

    // Raw SHA-256 of a media id's bytes, computed once per (id, size).
    std::string media_digest(const std::string& media_id, std::uint64_t size);

    std::string profile_name(const std::string& wa_id) const;
    TemplateStore& templates() { return templates_; }
    std::string next_wamid();
    // A media id for an upload: "fake-media-<instance>-<n>".
    std::string next_media_id();

    // True with probability `rate` (the knobs' shares).
    static bool draw(double rate);
    // Webhook deliveries posted (knobs.webhooks): acknowledged with a 200, and attempts that were not.
    void count_webhook(bool acknowledged) {
        (acknowledged ? webhooks_acknowledged_ : webhooks_failed_attempts_).fetch_add(1, std::memory_order_relaxed);
    }
    void count_connection() { connections_accepted_.fetch_add(1, std::memory_order_relaxed); }
    void add_media_bytes(std::uint64_t n) { media_bytes_sent_.fetch_add(n, std::memory_order_relaxed); }
    nlohmann::json stats() const;

private:
    struct FamilyCounters {
        std::atomic<std::uint64_t> requests{0};
        std::atomic<std::uint64_t> failures_injected{0};
    };
    struct Recording {
        std::deque<RecordedRequest> requests;
        std::uint64_t dropped = 0;
    };

    const nlohmann::json start_config_;
    const std::string instance_id_;  // keeps wamids unique across restarts of the fake

    mutable std::mutex mutex_;  // guards knobs_, recordings_, profile_names_, digests_
    Knobs knobs_;
    std::array<Recording, kFamilies.size()> recordings_;
    std::map<std::string, std::string> profile_names_;
    std::map<std::pair<std::string, std::uint64_t>, std::string> digests_;

    TemplateStore templates_;
    std::array<FamilyCounters, kFamilies.size()> counters_;
    std::atomic<std::uint64_t> connections_accepted_{0};
    std::atomic<std::uint64_t> media_bytes_sent_{0};
    std::atomic<std::uint64_t> wamid_counter_{0};
    std::atomic<std::uint64_t> media_id_counter_{0};
    std::atomic<std::uint64_t> webhooks_acknowledged_{0};
    std::atomic<std::uint64_t> webhooks_failed_attempts_{0};
};

}  // namespace fake_graph
