#include "inbox/api/json_views.hpp"

#include "inbox/domain/template_shape.hpp"
#include "inbox/domain/time.hpp"

namespace inbox::api {
namespace {

using http::JsonWriter;

void write_time(JsonWriter& out, const std::optional<domain::TimePoint>& time) {
    if (time) {
        out.string(domain::to_rfc3339(*time));
    } else {
        out.null();
    }
}

void write_reply_to(JsonWriter& out, const std::optional<domain::ReplyTo>& reply_to) {
    if (!reply_to) {
        out.null();
        return;
    }
    out.begin_object()
        .key("wa_message_id").string(reply_to->wa_message_id)
        .key("message_id").string(reply_to->message_id)
        .key("preview");
    if (reply_to->message_id && reply_to->preview) {
        out.begin_object()
            .key("type").string(reply_to->preview->type)
            .key("text").string(reply_to->preview->text)
            .end_object();
    } else {
        out.null();
    }
    out.end_object();
}

void write_author(JsonWriter& out, const std::optional<std::string>& user_id) {
    if (user_id) {
        out.begin_object().key("user_id").string(*user_id).end_object();
    } else {
        out.null();
    }
}

void write_template_ref(JsonWriter& out, const std::optional<domain::TemplateRef>& ref) {
    if (!ref) {
        out.null();
        return;
    }
    out.begin_object().key("name").string(ref->name).key("language").string(ref->language).end_object();
}

void write_media(JsonWriter& out, const std::string& message_id, const std::optional<domain::MessageMedia>& media) {
    if (!media) {
        out.null();
        return;
    }
    out.begin_object()
        .key("mime_type").string(media->mime_type)
        .key("sha256").string(media->sha256)
        .key("file_size").number(media->file_size)
        .key("filename").string(media->filename)
        .key("state").string(media->state)
        .key("url").string("/messages/media/" + message_id)
        .end_object();
}

template <typename Object, typename Write>
std::string to_json_text(const Object& object, Write write) {
    JsonWriter out;
    write(out, object);
    return out.take();
}

}  // namespace

void write_account(JsonWriter& out, const domain::Account& account) {
    out.begin_object()
        .key("id").string(account.id)
        .key("name").string(account.name)
        .key("phone_number_id").string(account.phone_number_id)
        .key("waba_id").string(account.waba_id)
        .key("display_phone_number").string(account.display_phone_number)
        .key("read_receipts").string(account.read_receipts)
        .key("default_template");
    if (account.default_template) {
        out.string(account.default_template->name + ":" + account.default_template->language);
    } else {
        out.null();
    }
    out.end_object();
}

void write_conversation(JsonWriter& out, const services::ConversationView& view) {
    const auto& c = view.conversation;
    out.begin_object().key("id").string(c.id).key("account_id").string(c.account_id);
    out.key("contact").begin_object()
        .key("id").string(c.contact.id)
        .key("wa_id").string(c.contact.wa_id)
        .key("name").string(c.contact.name)
        .end_object();
    out.key("status").string(c.status).key("unread_count").number(c.unread_count);
    write_time(out.key("last_message_at"), c.last_message_at);
    out.key("last_message_preview").string(c.last_message_preview);
    write_time(out.key("last_inbound_at"), c.last_inbound_at);
    out.key("free_window").begin_object().key("open").boolean(view.free_window.open);
    write_time(out.key("expires_at"), view.free_window.expires_at);
    out.end_object().end_object();
}

// `error` and `content` are JSON texts as Postgres printed their jsonb columns: embedded as they are.
void write_message(JsonWriter& out, const domain::Message& m) {
    out.begin_object()
        .key("id").string(m.id)
        .key("conversation_id").string(m.conversation_id)
        .key("wa_message_id").string(m.wa_message_id)
        .key("direction").string(m.direction)
        .key("type").string(m.type)
        .key("text").string(m.text)
        .key("status").string(m.status)
        .key("timestamp").string(domain::to_rfc3339(m.timestamp))
        .key("created_at").string(domain::to_rfc3339(m.created_at));
    write_reply_to(out.key("reply_to"), m.reply_to);
    write_author(out.key("author"), m.author_user_id);
    if (m.error_json) {
        out.key("error").raw(*m.error_json);
    } else {
        out.key("error").null();
    }
    write_template_ref(out.key("template"), m.template_ref);
    write_media(out.key("media"), m.id, m.media);
    out.key("reactions").raw(m.reactions_json);
    out.key("content").raw(m.content_json).end_object();
}

void write_template(JsonWriter& out, const domain::StoredTemplate& t) {
    out.begin_object()
        .key("id").string(t.id)
        .key("name").string(t.name)
        .key("language").string(t.language)
        .key("category").string(t.category)
        .key("status").string(t.status)
        .key("body_text").string(t.body_text)
        .key("parameter_count").number(t.parameter_count);
    // Meta's components as synced, and what a send-template must fill in for them.
    out.key("components").raw(t.components_json.value_or("[]"));
    const auto shape = domain::template_shape_of(t.components_json.value_or(""), t.body_text.value_or(""));
    out.key("parameters").begin_object()
        .key("header").number(shape.header_parameters)
        .key("body").number(shape.body_parameters)
        .key("buttons").begin_array();
    for (const auto& button : shape.buttons) {
        out.begin_object()
            .key("index").number(button.index)
            .key("type").string(button.type)
            .key("parameter_count").number(button.parameter_count)
            .end_object();
    }
    out.end_array().end_object().end_object();
}

void write_pagination_fields(JsonWriter& out, const domain::PageRequest& page, bool has_more) {
    out.key("limit").number(page.limit).key("offset").number(page.offset).key("has_more").boolean(has_more);
}

std::string account_json(const domain::Account& account) { return to_json_text(account, write_account); }
std::string conversation_json(const services::ConversationView& view) { return to_json_text(view, write_conversation); }
std::string message_json(const domain::Message& message) { return to_json_text(message, write_message); }

}  // namespace inbox::api
