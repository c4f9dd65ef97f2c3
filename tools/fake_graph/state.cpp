#include "fake_graph/state.hpp"

#include <cstdio>
#include <random>
#include <stdexcept>

#include "fake_graph/media_bytes.hpp"

namespace fake_graph {
namespace {

using nlohmann::json;

std::mt19937_64& random_engine() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return engine;
}

std::string random_instance_id() {
    std::array<char, 17> id{};
    std::snprintf(id.data(), id.size(), "%016llX", static_cast<unsigned long long>(random_engine()()));
    return id.data();
}

std::size_t index_of(Family family) { return static_cast<std::size_t>(family); }

std::int64_t unix_ms_now() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

State::State(json start_config) : start_config_(std::move(start_config)), instance_id_(random_instance_id()) {
    apply_config(start_config_);
}

void State::apply_config(const json& config) {
    if (!config.is_object()) throw std::invalid_argument("config must be a JSON object");
    json knob_patch = json::object();
    std::vector<MessageTemplate> new_templates;
    std::map<std::string, std::string> new_names;
    for (const auto& [key, value] : config.items()) {
        if (key == "templates") {
            if (!value.is_array()) throw std::invalid_argument("'templates' must be an array");
            for (const auto& t : value) new_templates.push_back(template_from_json(t));
        } else if (key == "contacts") {
            if (!value.is_object()) throw std::invalid_argument("'contacts' must be an object {wa_id: profile_name}");
            for (const auto& [wa_id, name] : value.items()) {
                if (!name.is_string()) throw std::invalid_argument("contacts." + wa_id + " must be a string");
                new_names[wa_id] = name.get<std::string>();
            }
        } else {
            knob_patch[key] = value;
        }
    }
    const std::lock_guard lock(mutex_);
    Knobs patched = knobs_;
    apply_knobs_patch(patched, knob_patch);
    knobs_ = std::move(patched);
    for (auto& [wa_id, name] : new_names) profile_names_[wa_id] = std::move(name);
    for (auto& t : new_templates) templates_.add(std::move(t));
}

void State::reset() {
    {
        const std::lock_guard lock(mutex_);
        knobs_ = Knobs{};
        for (auto& recording : recordings_) recording = Recording{};
        profile_names_.clear();
    }
    templates_.clear();
    for (auto& counters : counters_) {
        counters.requests = 0;
        counters.failures_injected = 0;
    }
    connections_accepted_ = 0;
    webhooks_acknowledged_ = 0;
    webhooks_failed_attempts_ = 0;
    media_bytes_sent_ = 0;
    apply_config(start_config_);
}

Decision State::on_request(Family family) {
    counters_[index_of(family)].requests.fetch_add(1, std::memory_order_relaxed);
    Decision decision;
    const std::lock_guard lock(mutex_);
    auto& knobs = knobs_.family(family);
    auto& engine = random_engine();
    int delay = knobs.latency_ms;
    if (knobs.jitter_ms > 0) delay += std::uniform_int_distribution<int>(0, knobs.jitter_ms)(engine);
    decision.delay = std::chrono::milliseconds(delay);

    auto& failure = knobs.failure;
    if (failure.mode == FailureMode::none) return decision;
    if (failure.count) {
        if (*failure.count == 0) return decision;
        decision.failure = failure;
        if (--*failure.count == 0) failure.mode = FailureMode::none;  // spent: later calls succeed
    } else if (failure.rate >= 1.0 || std::uniform_real_distribution<double>(0.0, 1.0)(engine) < failure.rate) {
        decision.failure = failure;
    }
    if (decision.failure) counters_[index_of(family)].failures_injected.fetch_add(1, std::memory_order_relaxed);
    return decision;
}

void State::record(Family family, RecordedRequest request) {
    request.at_unix_ms = unix_ms_now();
    const std::lock_guard lock(mutex_);
    auto& recording = recordings_[index_of(family)];
    recording.requests.push_back(std::move(request));
    while (recording.requests.size() > knobs_.record_limit) {
        recording.requests.pop_front();
        ++recording.dropped;
    }
}

json State::recorded(std::optional<Family> family) const {
    json requests = json::array();
    std::uint64_t dropped = 0;
    const std::lock_guard lock(mutex_);
    for (auto f : kFamilies) {
        if (family && f != *family) continue;
        const auto& recording = recordings_[index_of(f)];
        dropped += recording.dropped;
        for (const auto& r : recording.requests) {
            json entry{{"family", to_string(f)},       {"method", r.method}, {"target", r.target},
                       {"authorization", r.authorization}, {"body", r.body},     {"at_unix_ms", r.at_unix_ms}};
            entry["json"] = json::parse(r.body, nullptr, false);
            if (entry["json"].is_discarded()) entry["json"] = nullptr;
            requests.push_back(std::move(entry));
        }
    }
    return {{"requests", requests}, {"dropped", dropped}};
}

Knobs State::knobs() const {
    const std::lock_guard lock(mutex_);
    return knobs_;
}

MediaSpec State::media_spec(const std::string& media_id) const {
    const std::lock_guard lock(mutex_);
    return knobs_.media_spec(media_id);
}

bool State::media_expired(const std::string& media_id) const {
    const std::lock_guard lock(mutex_);
    return knobs_.expired_media.contains(media_id);
}

std::optional<std::string> State::access_token() const {
    const std::lock_guard lock(mutex_);
    return knobs_.access_token;
}

std::chrono::milliseconds State::connection_delay() const {
    const std::lock_guard lock(mutex_);
    return std::chrono::milliseconds(knobs_.connection_delay_ms);
}

std::string State::media_digest(const std::string& media_id, std::uint64_t size) {
    const auto key = std::make_pair(media_id, size);
    {
        const std::lock_guard lock(mutex_);
        if (auto found = digests_.find(key); found != digests_.end()) return found->second;
    }
    auto digest = media_sha256(media_id, size);  // outside the lock: 100 MB take a moment
    const std::lock_guard lock(mutex_);
    return digests_.emplace(key, std::move(digest)).first->second;
}

std::string State::profile_name(const std::string& wa_id) const {
    const std::lock_guard lock(mutex_);
    const auto found = profile_names_.find(wa_id);
    return found == profile_names_.end() ? "Fake User " + wa_id : found->second;
}

bool State::draw(double rate) {
    if (rate <= 0.0) return false;
    return rate >= 1.0 || std::uniform_real_distribution<double>(0.0, 1.0)(random_engine()) < rate;
}

std::string State::next_media_id() {
    return "fake-media-" + instance_id_ + "-" +
           std::to_string(media_id_counter_.fetch_add(1, std::memory_order_relaxed));
}

std::string State::next_wamid() {
    std::array<char, 64> id{};
    std::snprintf(id.data(), id.size(), "wamid.FAKE%s%016llX", instance_id_.c_str(),
                  static_cast<unsigned long long>(wamid_counter_.fetch_add(1, std::memory_order_relaxed)));
    return id.data();
}

json State::stats() const {
    json families = json::object();
    for (auto f : kFamilies) {
        const auto& counters = counters_[index_of(f)];
        families[std::string(to_string(f))] = {{"requests", counters.requests.load()},
                                               {"failures_injected", counters.failures_injected.load()}};
    }
    return {{"connections_accepted", connections_accepted_.load()},
            {"media_bytes_sent", media_bytes_sent_.load()},
            {"families", families},
            {"webhooks", {{"acknowledged", webhooks_acknowledged_.load()},
                          {"failed_attempts", webhooks_failed_attempts_.load()}}}};
}

}  // namespace fake_graph
