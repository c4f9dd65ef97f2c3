#include "inbox/api/json_views.hpp"

#include "inbox/domain/time.hpp"

namespace inbox::api {
namespace {

using nlohmann::json;

json text_or_null(const std::optional<std::string>& text) { return text ? json(*text) : json(nullptr); }

json time_or_null(const std::optional<domain::TimePoint>& time) {
    return time ? json(domain::to_rfc3339(*time)) : json(nullptr);
}

json reply_to_json(const std::optional<domain::ReplyTo>& reply_to) {
    if (!reply_to) return nullptr;
    return {{"wa_message_id", reply_to->wa_message_id}, {"message_id", text_or_null(reply_to->message_id)}};
}

json template_ref_json(const std::optional<domain::TemplateRef>& ref) {
    if (!ref) return nullptr;
    return {{"name", ref->name}, {"language", ref->language}};
}

json media_json(const std::string& message_id, const std::optional<domain::MessageMedia>& media) {
    if (!media) return nullptr;
    return {{"mime_type", text_or_null(media->mime_type)},
            {"sha256", text_or_null(media->sha256)},
            {"file_size", media->file_size ? json(*media->file_size) : json(nullptr)},
            {"filename", text_or_null(media->filename)},
            {"state", media->state},
            {"url", "/messages/media/" + message_id}};
}

}  // namespace

json account_json(const domain::Account& account) {
    return {{"id", account.id},
            {"name", account.name},
            {"phone_number_id", account.phone_number_id},
            {"waba_id", account.waba_id},
            {"display_phone_number", text_or_null(account.display_phone_number)}};
}

json conversation_json(const services::ConversationView& view) {
    const auto& c = view.conversation;
    return {
        {"id", c.id},
        {"account_id", c.account_id},
        {"contact", {{"id", c.contact.id}, {"wa_id", c.contact.wa_id}, {"name", text_or_null(c.contact.name)}}},
        {"status", c.status},
        {"unread_count", c.unread_count},
        {"last_message_at", time_or_null(c.last_message_at)},
        {"last_message_preview", text_or_null(c.last_message_preview)},
        {"last_inbound_at", time_or_null(c.last_inbound_at)},
        {"free_window", {{"open", view.free_window.open}, {"expires_at", time_or_null(view.free_window.expires_at)}}}};
}

json message_json(const domain::Message& m) {
    return {{"id", m.id},
            {"conversation_id", m.conversation_id},
            {"wa_message_id", text_or_null(m.wa_message_id)},
            {"direction", m.direction},
            {"type", m.type},
            {"text", text_or_null(m.text)},
            {"status", m.status},
            {"timestamp", domain::to_rfc3339(m.timestamp)},
            {"created_at", domain::to_rfc3339(m.created_at)},
            {"reply_to", reply_to_json(m.reply_to)},
            {"error", m.error},
            {"template", template_ref_json(m.template_ref)},
            {"media", media_json(m.id, m.media)},
            {"content", m.content}};
}

json template_json(const domain::StoredTemplate& t) {
    return {{"id", t.id},
            {"name", t.name},
            {"language", t.language},
            {"category", text_or_null(t.category)},
            {"status", t.status},
            {"body_text", text_or_null(t.body_text)},
            {"parameter_count", t.parameter_count}};
}

}  // namespace inbox::api
