#include "fake_graph/knobs.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace fake_graph {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, kFamilies.size()> kFamilyNames{"messages", "media_meta", "media_download",
                                                                       "templates", "contacts", "media_upload"};
constexpr std::array<std::string_view, 4> kModeNames{"none", "error", "hang", "reset"};

[[noreturn]] void bad(const std::string& key, const std::string& why) {
    throw std::invalid_argument("knob '" + key + "': " + why);
}

void require_object(const json& value, const std::string& key) {
    if (!value.is_object()) bad(key, "expected an object");
}

int get_int(const json& value, const std::string& key, int min, int max) {
    if (!value.is_number_integer()) bad(key, "expected an integer");
    const auto number = value.get<std::int64_t>();
    if (number < min || number > max) bad(key, "out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    return static_cast<int>(number);
}

bool get_bool(const json& value, const std::string& key) {
    if (!value.is_boolean()) bad(key, "expected true or false");
    return value.get<bool>();
}

std::string get_string(const json& value, const std::string& key) {
    if (!value.is_string()) bad(key, "expected a string");
    return value.get<std::string>();
}

FailureMode mode_from_string(const std::string& name, const std::string& key) {
    for (std::size_t i = 0; i < kModeNames.size(); ++i) {
        if (kModeNames[i] == name) return static_cast<FailureMode>(i);
    }
    bad(key, "unknown mode '" + name + "' (none, error, hang, reset)");
}

// A failure object replaces the family's previous rule as a whole: half-merged failure rules surprise.
Failure parse_failure(const json& value, const std::string& key) {
    Failure failure;
    if (value.is_null()) return failure;
    require_object(value, key);
    failure.mode = FailureMode::error;
    for (const auto& [name, item] : value.items()) {
        const auto path = key + "." + name;
        if (name == "mode") failure.mode = mode_from_string(get_string(item, path), path);
        else if (name == "status") failure.status = get_int(item, path, 100, 599);
        else if (name == "code") failure.code = get_int(item, path, 0, 99999999);
        else if (name == "subcode") failure.subcode = item.is_null() ? std::nullopt : std::optional(get_int(item, path, 0, 99999999));
        else if (name == "message") failure.message = get_string(item, path);
        else if (name == "details") failure.details = get_string(item, path);
        else if (name == "count") failure.count = get_int(item, path, 0, 1'000'000'000);
        else if (name == "rate") {
            if (!item.is_number() || item.get<double>() < 0.0 || item.get<double>() > 1.0) bad(path, "expected a number in [0, 1]");
            failure.rate = item.get<double>();
        } else bad(path, "unknown key");
    }
    return failure;
}

void patch_family(FamilyKnobs& family, const json& value, const std::string& key) {
    require_object(value, key);
    for (const auto& [name, item] : value.items()) {
        const auto path = key + "." + name;
        if (name == "latency_ms") family.latency_ms = get_int(item, path, 0, 3'600'000);
        else if (name == "jitter_ms") family.jitter_ms = get_int(item, path, 0, 3'600'000);
        else if (name == "failure") family.failure = parse_failure(item, path);
        else bad(path, "unknown key");
    }
}

std::uint64_t get_size(const json& value, const std::string& key) {
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0 || value.get<std::uint64_t>() > kMaxMediaSize) {
        bad(key, "expected a byte count in [0, 1 GiB]");
    }
    return value.get<std::uint64_t>();
}

void patch_media(MediaOverride& media, const json& value, const std::string& key) {
    require_object(value, key);
    for (const auto& [name, item] : value.items()) {
        const auto path = key + "." + name;
        if (name == "size") media.size = get_size(item, path);
        else if (name == "mime_type") media.mime_type = get_string(item, path);
        else if (name == "wrong_sha256") media.wrong_sha256 = get_bool(item, path);
        else if (name == "sha256_base64") media.sha256_base64 = get_bool(item, path);
        else bad(path, "unknown key");
    }
}

void patch_media_defaults(MediaSpec& spec, const json& value, const std::string& key) {
    MediaOverride patch;
    patch_media(patch, value, key);
    spec.size = patch.size.value_or(spec.size);
    spec.mime_type = patch.mime_type.value_or(spec.mime_type);
    spec.wrong_sha256 = patch.wrong_sha256.value_or(spec.wrong_sha256);
    spec.sha256_base64 = patch.sha256_base64.value_or(spec.sha256_base64);
}

json to_json(const MediaOverride& media) {
    json out = json::object();
    if (media.size) out["size"] = *media.size;
    if (media.mime_type) out["mime_type"] = *media.mime_type;
    if (media.wrong_sha256) out["wrong_sha256"] = *media.wrong_sha256;
    if (media.sha256_base64) out["sha256_base64"] = *media.sha256_base64;
    return out;
}

json to_json(const MediaSpec& spec) {
    return {{"size", spec.size}, {"mime_type", spec.mime_type}, {"wrong_sha256", spec.wrong_sha256},
            {"sha256_base64", spec.sha256_base64}};
}

json to_json(const Failure& failure) {
    json out{{"mode", kModeNames[static_cast<std::size_t>(failure.mode)]}, {"code", failure.code},
             {"rate", failure.rate}, {"message", failure.message}, {"details", failure.details}};
    out["status"] = failure.status ? json(*failure.status) : json(nullptr);
    out["subcode"] = failure.subcode ? json(*failure.subcode) : json(nullptr);
    out["count"] = failure.count ? json(*failure.count) : json(nullptr);
    return out;
}

void patch_webhooks(WebhookKnobs& webhooks, const json& value, const std::string& key) {
    require_object(value, key);
    for (const auto& [name, item] : value.items()) {
        const auto path = key + "." + name;
        if (name == "url") {
            webhooks.url = get_string(item, path);
            if (!webhooks.url.empty() && webhooks.url.rfind("http://", 0) != 0) bad(path, "expected an http:// URL");
        } else if (name == "app_secret") webhooks.app_secret = get_string(item, path);
        else if (name == "after_delay_ms") webhooks.after_delay_ms = get_int(item, path, 0, 3'600'000);
        else if (name == "before_answer_rate") {
            if (!item.is_number() || item.get<double>() < 0.0 || item.get<double>() > 1.0) bad(path, "expected a number in [0, 1]");
            webhooks.before_answer_rate = item.get<double>();
        } else bad(path, "unknown key");
    }
}

}  // namespace

std::string_view to_string(Family family) { return kFamilyNames[static_cast<std::size_t>(family)]; }

std::optional<Family> family_from_string(std::string_view name) {
    for (auto family : kFamilies) {
        if (to_string(family) == name) return family;
    }
    return std::nullopt;
}

MediaSpec Knobs::media_spec(const std::string& media_id) const {
    MediaSpec spec = media_defaults;
    if (const auto found = media.find(media_id); found != media.end()) {
        const auto& media_override = found->second;
        spec.size = media_override.size.value_or(spec.size);
        spec.mime_type = media_override.mime_type.value_or(spec.mime_type);
        spec.wrong_sha256 = media_override.wrong_sha256.value_or(spec.wrong_sha256);
        spec.sha256_base64 = media_override.sha256_base64.value_or(spec.sha256_base64);
    }
    return spec;
}

void apply_knobs_patch(Knobs& knobs, const json& patch) {
    require_object(patch, "(root)");
    for (const auto& [name, item] : patch.items()) {
        if (name == "connection_delay_ms") knobs.connection_delay_ms = get_int(item, name, 0, 3'600'000);
        else if (name == "access_token") knobs.access_token = item.is_null() ? std::nullopt : std::optional(get_string(item, name));
        else if (name == "record_limit") knobs.record_limit = static_cast<std::size_t>(get_int(item, name, 0, 10'000'000));
        else if (name == "media_defaults") patch_media_defaults(knobs.media_defaults, item, name);
        else if (name == "webhooks") patch_webhooks(knobs.webhooks, item, name);
        else if (name == "families") {
            require_object(item, name);
            for (const auto& [family_name, family_patch] : item.items()) {
                const auto path = name + "." + family_name;
                if (family_name == "*") {  // one patch for every family, e.g. a global latency
                    for (auto& family : knobs.families) patch_family(family, family_patch, path);
                } else if (auto family = family_from_string(family_name)) {
                    patch_family(knobs.family(*family), family_patch, path);
                } else bad(path, "unknown family");
            }
        } else if (name == "media") {
            require_object(item, name);
            for (const auto& [media_id, spec_patch] : item.items()) {
                if (spec_patch.is_null()) {
                    knobs.media.erase(media_id);
                    continue;
                }
                patch_media(knobs.media[media_id], spec_patch, name + "." + media_id);
            }
        } else if (name == "expired_media") {
            if (!item.is_array()) bad(name, "expected an array of media ids");
            knobs.expired_media.clear();
            for (const auto& id : item) knobs.expired_media.insert(get_string(id, name));
        } else if (name == "undeliverable_to") {
            if (!item.is_array()) bad(name, "expected an array of wa_ids");
            knobs.undeliverable_to.clear();
            for (const auto& id : item) knobs.undeliverable_to.insert(get_string(id, name));
        } else if (name == "require_known_templates") {
            if (!item.is_boolean()) bad(name, "expected true or false");
            knobs.require_known_templates = item.get<bool>();
        } else bad(name, "unknown key");
    }
}

json to_json(const Knobs& knobs) {
    json families = json::object();
    for (auto family : kFamilies) {
        const auto& f = knobs.family(family);
        families[std::string(to_string(family))] = {
            {"latency_ms", f.latency_ms}, {"jitter_ms", f.jitter_ms}, {"failure", to_json(f.failure)}};
    }
    json media = json::object();
    for (const auto& [id, spec] : knobs.media) media[id] = to_json(spec);
    return {{"connection_delay_ms", knobs.connection_delay_ms},
            {"access_token", knobs.access_token ? json(*knobs.access_token) : json(nullptr)},
            {"record_limit", knobs.record_limit},
            {"families", families},
            {"media_defaults", to_json(knobs.media_defaults)},
            {"media", media},
            {"expired_media", knobs.expired_media},
            {"undeliverable_to", knobs.undeliverable_to},
            {"require_known_templates", knobs.require_known_templates},
            {"webhooks", {{"url", knobs.webhooks.url},
                          {"app_secret", knobs.webhooks.app_secret.empty() ? "" : "(set)"},
                          {"before_answer_rate", knobs.webhooks.before_answer_rate},
                          {"after_delay_ms", knobs.webhooks.after_delay_ms}}}};
}

}  // namespace fake_graph
