#include "fake_graph/template_store.hpp"

#include <algorithm>
#include <stdexcept>

#include "fake_graph/media_bytes.hpp"

namespace fake_graph {
namespace {

// Opaque like Graph's cursors, and URL-safe (base64url without padding) so it needs no escaping in `next`.
std::string cursor_of(const MessageTemplate& t) {
    auto cursor = to_base64("cursor:" + t.id);
    std::replace(cursor.begin(), cursor.end(), '+', '-');
    std::replace(cursor.begin(), cursor.end(), '/', '_');
    cursor.erase(cursor.find_last_not_of('=') + 1);
    return cursor;
}

std::string string_field(const nlohmann::json& value, const char* key, std::string fallback) {
    if (!value.contains(key)) return fallback;
    if (!value[key].is_string()) throw std::invalid_argument(std::string("template '") + key + "' must be a string");
    return value[key].get<std::string>();
}

}  // namespace

MessageTemplate template_from_json(const nlohmann::json& value) {
    if (!value.is_object()) throw std::invalid_argument("a template must be an object");
    MessageTemplate t;
    t.name = string_field(value, "name", "");
    if (t.name.empty()) throw std::invalid_argument("template 'name' is required");
    t.id = string_field(value, "id", "");
    t.waba_id = string_field(value, "waba_id", std::string(kAnyWaba));
    t.language = string_field(value, "language", t.language);
    t.status = string_field(value, "status", t.status);
    t.category = string_field(value, "category", t.category);
    if (value.contains("components")) {
        if (!value["components"].is_array()) throw std::invalid_argument("template 'components' must be an array");
        t.components = value["components"];
    } else if (value.contains("body_text")) {
        t.components = nlohmann::json::array({{{"type", "BODY"}, {"text", string_field(value, "body_text", "")}}});
    }
    return t;
}

nlohmann::json to_json(const MessageTemplate& t) {
    return {{"id", t.id},         {"name", t.name},         {"language", t.language},
            {"status", t.status}, {"category", t.category}, {"components", t.components}};
}

MessageTemplate TemplateStore::add(MessageTemplate t) {
    const std::lock_guard lock(mutex_);
    if (t.id.empty()) t.id = std::to_string(next_id_++);
    templates_.push_back(t);
    return t;
}

TemplatePage TemplateStore::page(const std::string& waba_id, std::size_t limit, const std::string& after) const {
    const std::lock_guard lock(mutex_);
    std::vector<const MessageTemplate*> visible;
    for (const auto& t : templates_) {
        if (t.waba_id == waba_id || t.waba_id == kAnyWaba) visible.push_back(&t);
    }
    auto start = visible.begin();
    if (!after.empty()) {
        start = std::find_if(visible.begin(), visible.end(), [&](auto* t) { return cursor_of(*t) == after; });
        if (start == visible.end()) throw std::invalid_argument("unknown paging cursor");
        ++start;
    }
    TemplatePage page;
    const auto available = static_cast<std::size_t>(visible.end() - start);
    const auto take = std::min(limit, available);
    for (auto it = start; it != start + static_cast<std::ptrdiff_t>(take); ++it) page.items.push_back(**it);
    page.has_more = available > take;
    if (!page.items.empty()) {
        page.before = cursor_of(page.items.front());
        page.after = cursor_of(page.items.back());
    }
    return page;
}

std::optional<MessageTemplate> TemplateStore::find(const std::string& name, const std::string& language) const {
    const std::lock_guard lock(mutex_);
    for (const auto& t : templates_) {
        if (t.name == name && t.language == language) return t;
    }
    return std::nullopt;
}

void TemplateStore::clear() {
    const std::lock_guard lock(mutex_);
    templates_.clear();
}

}  // namespace fake_graph
