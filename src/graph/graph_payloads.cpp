#include "inbox/graph/graph_payloads.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "inbox/domain/template_shape.hpp"

namespace inbox::graph {
namespace {

using nlohmann::json;

std::optional<json> parse_object(std::string_view body) {
    auto document = json::parse(body, nullptr, false);
    if (document.is_discarded() || !document.is_object()) return std::nullopt;
    return document;
}

std::string string_member(const json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

// Meta sends file_size as a number; accept a numeric string as well.
std::optional<std::uint64_t> size_member(const json& object, const char* key) {
    const auto found = object.find(key);
    if (found == object.end()) return std::nullopt;
    if (found->is_number_unsigned()) return found->get<std::uint64_t>();
    if (found->is_string()) {
        const auto& text = found->get_ref<const std::string&>();
        std::uint64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size()) return value;
    }
    return std::nullopt;
}

std::string body_text_of(const json& components) {
    if (!components.is_array()) return {};
    for (const auto& component : components) {
        if (component.is_object() && iequals(string_member(component, "type"), "BODY")) {
            return string_member(component, "text");
        }
    }
    return {};
}

// The fields every kind of message shares: product, recipient, the answered message, our callback data.
json envelope_json(const MessageEnvelope& envelope, std::string_view type) {
    json body{{"messaging_product", "whatsapp"}, {"recipient_type", "individual"}, {"to", envelope.to}, {"type", type}};
    if (envelope.reply_to) body["context"] = {{"message_id", *envelope.reply_to}};
    if (envelope.callback_data) body["biz_opaque_callback_data"] = *envelope.callback_data;
    return body;
}

// {"type": "text", "text"}, {"type": "coupon_code", "coupon_code"}, {"type": "image", "image": {"id"}}, ...
json template_parameter_json(const TemplateParameter& parameter) {
    if (parameter.type == "text" || parameter.type == "coupon_code") {
        return {{"type", parameter.type}, {parameter.type, parameter.value}};
    }
    json media{{"id", parameter.value}};
    if (parameter.filename) media["filename"] = *parameter.filename;
    return {{"type", parameter.type}, {parameter.type, std::move(media)}};
}

json template_component_json(const TemplateComponentValues& component) {
    json out{{"type", component.type}};
    if (component.sub_type) out["sub_type"] = *component.sub_type;
    if (component.index) out["index"] = std::to_string(*component.index);
    json parameters = json::array();
    for (const auto& parameter : component.parameters) parameters.push_back(template_parameter_json(parameter));
    out["parameters"] = std::move(parameters);
    return out;
}

}  // namespace

std::string text_message_body(const MessageEnvelope& envelope, std::string_view text) {
    auto body = envelope_json(envelope, "text");
    body["text"] = {{"preview_url", false}, {"body", text}};
    return body.dump();
}

std::string template_message_body(const MessageEnvelope& envelope, const OutboundTemplate& outbound) {
    json templ{{"name", outbound.name}, {"language", {{"code", outbound.language}}}};
    if (!outbound.components.empty()) {
        json components = json::array();
        for (const auto& component : outbound.components) components.push_back(template_component_json(component));
        templ["components"] = std::move(components);
    }
    auto body = envelope_json(envelope, "template");
    body["template"] = std::move(templ);
    return body.dump();
}

std::string template_creation_body(std::string_view name, std::string_view language, std::string_view category,
                                   std::string_view body_text) {
    json body_component{{"type", "BODY"}, {"text", body_text}};
    if (const int count = domain::count_template_placeholders(body_text); count > 0) {
        json examples = json::array();
        for (int i = 1; i <= count; ++i) examples.push_back("example " + std::to_string(i));
        body_component["example"] = {{"body_text", json::array({std::move(examples)})}};
    }
    return json{{"name", name},
                {"language", language},
                {"category", category},
                {"components", json::array({std::move(body_component)})}}
        .dump();
}

std::string reaction_message_body(const MessageEnvelope& envelope, std::string_view target_wamid,
                                  std::string_view emoji) {
    auto body = envelope_json(envelope, "reaction");
    body["reaction"] = {{"message_id", target_wamid}, {"emoji", emoji}};
    return body.dump();
}

std::string read_receipt_body(std::string_view wa_message_id, bool typing) {
    json body{{"messaging_product", "whatsapp"}, {"status", "read"}, {"message_id", wa_message_id}};
    if (typing) body["typing_indicator"] = {{"type", "text"}};
    return body.dump();
}

std::optional<ReadMarked> parse_read_marked(std::string_view body) {
    const auto document = parse_object(body);
    if (!document) return std::nullopt;
    const auto success = document->find("success");
    if (success == document->end() || !success->is_boolean() || !success->get<bool>()) return std::nullopt;
    return ReadMarked{};
}

std::string media_message_body(const MessageEnvelope& envelope, const OutboundMedia& media) {
    json part{{"id", media.media_id}};
    if (media.caption) part["caption"] = *media.caption;
    if (media.filename) part["filename"] = *media.filename;
    auto body = envelope_json(envelope, media.kind);
    body[media.kind] = std::move(part);
    return body.dump();
}

namespace {

// A quoted-string for a Content-Disposition parameter: quotes and backslashes escaped, line breaks dropped.
std::string quoted_parameter(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '\r' || c == '\n') continue;
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

FileBodyPart media_upload_body(std::string_view boundary, const MediaFile& file) {
    const std::string dash = "--" + std::string(boundary);
    FileBodyPart part;
    part.prefix = dash + "\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n" +
                  dash + "\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\n" + file.mime_type + "\r\n" +
                  dash + "\r\nContent-Disposition: form-data; name=\"file\"; filename=" + quoted_parameter(file.filename) +
                  "\r\nContent-Type: " + file.mime_type + "\r\n\r\n";
    part.path = file.path;
    part.size = file.size;
    part.suffix = "\r\n" + dash + "--\r\n";
    return part;
}

std::optional<UploadedMedia> parse_uploaded_media(std::string_view body) {
    const auto document = parse_object(body);
    if (!document) return std::nullopt;
    auto id = string_member(*document, "id");
    if (id.empty()) return std::nullopt;
    return UploadedMedia{std::move(id)};
}

std::optional<SentMessage> parse_sent_message(std::string_view body) {
    const auto document = parse_object(body);
    if (!document) return std::nullopt;
    const auto messages = document->find("messages");
    if (messages == document->end() || !messages->is_array() || messages->empty() || !(*messages)[0].is_object()) {
        return std::nullopt;
    }
    auto wamid = string_member((*messages)[0], "id");
    if (wamid.empty()) return std::nullopt;
    return SentMessage{std::move(wamid)};
}

std::optional<MediaMeta> parse_media_meta(std::string_view body) {
    const auto document = parse_object(body);
    if (!document) return std::nullopt;
    MediaMeta meta;
    meta.id = string_member(*document, "id");
    meta.url = string_member(*document, "url");
    meta.mime_type = string_member(*document, "mime_type");
    meta.sha256 = string_member(*document, "sha256");
    const auto size = size_member(*document, "file_size");
    if (meta.url.empty() || !size) return std::nullopt;
    meta.file_size = *size;
    return meta;
}

std::optional<CreatedTemplate> parse_created_template(std::string_view body) {
    const auto document = parse_object(body);
    if (!document) return std::nullopt;
    CreatedTemplate created{string_member(*document, "id"), string_member(*document, "status"),
                            string_member(*document, "category")};
    if (created.id.empty()) return std::nullopt;
    return created;
}

std::optional<ContactProfile> parse_contact_profile(std::string_view body) {
    const auto document = parse_object(body);
    if (!document) return std::nullopt;
    ContactProfile profile{string_member(*document, "wa_id"), string_member(*document, "profile_name")};
    if (profile.wa_id.empty()) return std::nullopt;
    return profile;
}

std::optional<TemplatePage> parse_template_page(std::string_view body) {
    const auto document = parse_object(body);
    if (!document) return std::nullopt;
    const auto data = document->find("data");
    if (data == document->end() || !data->is_array()) return std::nullopt;

    TemplatePage page;
    for (const auto& item : *data) {
        if (!item.is_object()) continue;
        MessageTemplate t;
        t.id = string_member(item, "id");
        t.name = string_member(item, "name");
        t.language = string_member(item, "language");
        t.status = string_member(item, "status");
        t.category = string_member(item, "category");
        if (const auto components = item.find("components"); components != item.end()) {
            t.body_text = body_text_of(*components);
            if (components->is_array()) t.components_json = components->dump();
        }
        t.parameter_count = domain::count_template_placeholders(t.body_text);
        if (!t.name.empty()) page.templates.push_back(std::move(t));
    }
    // Graph omits `next` on the last page, while `cursors.after` is present on every non-empty page.
    if (const auto paging = document->find("paging"); paging != document->end() && paging->is_object()) {
        const auto cursors = paging->find("cursors");
        if (paging->contains("next") && cursors != paging->end() && cursors->is_object()) {
            page.next_after = string_member(*cursors, "after");
        }
    }
    return page;
}

}  // namespace inbox::graph
