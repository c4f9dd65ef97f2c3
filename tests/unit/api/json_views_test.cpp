#include "inbox/api/json_views.hpp"

#include <gtest/gtest.h>

#include "inbox/api/upstream_errors.hpp"

namespace inbox::api {
namespace {

using nlohmann::json;

domain::TimePoint at(const char* text) { return *domain::parse_rfc3339(text); }

TEST(ConversationJson, HasTheContactAndTheFreeWindow) {
    services::ConversationView view;
    view.conversation = {.id = "c1",
                         .account_id = "a1",
                         .contact = {"k1", "16505551234", std::nullopt},
                         .status = "open",
                         .unread_count = 3,
                         .last_message_at = at("2026-11-24T10:00:00Z"),
                         .last_message_preview = "[location]",
                         .last_inbound_at = at("2026-11-24T09:00:00Z")};
    view.free_window = domain::free_window(view.conversation.last_inbound_at, at("2026-11-24T12:00:00Z"));
    EXPECT_EQ(json::parse(conversation_json(view)),
              json::parse(R"({"id":"c1","account_id":"a1","contact":{"id":"k1","wa_id":"16505551234","name":null},
                  "status":"open","unread_count":3,"last_message_at":"2026-11-24T10:00:00Z",
                  "last_message_preview":"[location]","last_inbound_at":"2026-11-24T09:00:00Z",
                  "free_window":{"open":true,"expires_at":"2026-11-25T09:00:00Z"}})"));
}

TEST(MessageJson, AMinimalMessageHasEveryFieldWithNulls) {
    domain::Message message;
    message.id = "m1";
    message.conversation_id = "c1";
    message.direction = "inbound";
    message.type = "location";
    message.status = "received";
    message.timestamp = at("2026-11-24T10:00:00Z");
    message.created_at = at("2026-11-24T10:00:01Z");
    message.content_json = R"({"latitude": 1.5})";
    EXPECT_EQ(json::parse(message_json(message)),
              json::parse(R"({"id":"m1","conversation_id":"c1","wa_message_id":null,"direction":"inbound",
                  "type":"location","text":null,"status":"received","timestamp":"2026-11-24T10:00:00Z",
                  "created_at":"2026-11-24T10:00:01Z","reply_to":null,"author":null,"error":null,"template":null,"media":null,
                  "reactions":[],"content":{"latitude":1.5}})"));
}

TEST(MessageJson, MediaPointsAtTheMediaRouteOfTheMessage) {
    domain::Message message;
    message.id = "m2";
    message.media = domain::MessageMedia{"image/jpeg", std::nullopt, 10, "a.jpg", "pending"};
    EXPECT_EQ(json::parse(message_json(message))["media"],
              json::parse(R"({"mime_type":"image/jpeg","sha256":null,"file_size":10,"filename":"a.jpg",
                  "state":"pending","url":"/messages/media/m2"})"));
}

TEST(MessageJson, ErrorReplyAndTemplateAreObjectsWhenPresent) {
    domain::Message message;
    message.id = "m3";
    message.reply_to = domain::ReplyTo{"wamid.A", std::nullopt, std::nullopt};
    message.error_json = R"({"code": 131047, "title": "Re-engagement message"})";
    message.template_ref = domain::TemplateRef{"hello_world", "en_US"};
    const auto body = json::parse(message_json(message));
    EXPECT_EQ(body["reply_to"], json::parse(R"({"wa_message_id":"wamid.A","message_id":null,"preview":null})"));
    EXPECT_EQ(body["error"], json::parse(R"({"code":131047,"title":"Re-engagement message"})"));
    EXPECT_EQ(body["template"], json::parse(R"({"name":"hello_world","language":"en_US"})"));
    EXPECT_EQ(body["content"], json::object());
}

TEST(MessageJson, AResolvedReplyCarriesItsTargetsPreviewAndAnOutboundMessageItsAuthor) {
    domain::Message message;
    message.id = "m4";
    message.direction = "outbound";
    message.author_user_id = "agent-7";
    message.reply_to = domain::ReplyTo{"wamid.B", "m0", domain::ReplyPreview{"image", std::nullopt}};
    const auto body = json::parse(message_json(message));
    EXPECT_EQ(body["reply_to"], json::parse(R"({"wa_message_id":"wamid.B","message_id":"m0",
                                                "preview":{"type":"image","text":null}})"));
    EXPECT_EQ(body["author"], json::parse(R"({"user_id":"agent-7"})"));

    // A preview without its message (not stored any more) is not shown.
    message.reply_to = domain::ReplyTo{"wamid.B", std::nullopt, domain::ReplyPreview{"text", "hi"}};
    EXPECT_TRUE(json::parse(message_json(message))["reply_to"]["preview"].is_null());
}

TEST(AccountJson, HasNoSecretsAndNullForAMissingDisplayNumber) {
    domain::Account account;
    account.id = "a1";
    account.name = "Acme \"Support\"";
    account.phone_number_id = "106540352242922";
    account.waba_id = "102290129340398";
    EXPECT_EQ(json::parse(account_json(account)),
              json::parse(R"({"id":"a1","name":"Acme \"Support\"","phone_number_id":"106540352242922",
                  "waba_id":"102290129340398","display_phone_number":null,"read_receipts":"on_reply",
                  "default_template":null})"));
    account.default_template = domain::TemplateRef{"order_update", "en_US"};
    EXPECT_EQ(json::parse(account_json(account))["default_template"], "order_update:en_US");
}

TEST(TemplateJson, ListsTheTemplateFieldsOfApiMd) {
    domain::StoredTemplate stored;
    stored.id = "t1";
    stored.name = "reengage";
    stored.language = "en_US";
    stored.status = "APPROVED";
    stored.body_text = "Hi {{1}}";
    stored.parameter_count = 1;
    http::JsonWriter out;
    write_template(out, stored);
    EXPECT_EQ(json::parse(out.take()),
              json::parse(R"({"id":"t1","name":"reengage","language":"en_US","category":null,"status":"APPROVED",
                  "body_text":"Hi {{1}}","parameter_count":1,"components":[],
                  "parameters":{"header":0,"body":1,"buttons":[]}})"));
}

// Part 2: Meta's components as synced, and what a send must fill in for them.
TEST(TemplateJson, ShowsComponentsAndTheParametersTheyTake) {
    domain::StoredTemplate stored;
    stored.id = "t2";
    stored.name = "order_update";
    stored.language = "en_US";
    stored.status = "APPROVED";
    stored.components_json = R"([{"type":"HEADER","format":"VIDEO"},{"type":"BODY","text":"{{1}} {{2}}"},)"
                             R"({"type":"BUTTONS","buttons":[{"type":"COPY_CODE"}]}])";
    http::JsonWriter out;
    write_template(out, stored);
    const auto written = json::parse(out.take());
    EXPECT_EQ(written["components"], json::parse(*stored.components_json));
    EXPECT_EQ(written["parameters"], json::parse(R"({"header":1,"body":2,
        "buttons":[{"index":0,"type":"COPY_CODE","parameter_count":1}]})"));
}

TEST(UpstreamErrors, RefusalIs502WithGraphErrorAndOutageIs503WithRetryAfter) {
    graph::GraphRefusal refusal;
    refusal.code = 131047;
    refusal.title = "Re-engagement message";
    refusal.details = "more than 24 hours";
    auto refused = upstream_error(refusal);
    EXPECT_EQ(refused.status(), http::Status::bad_gateway);
    EXPECT_EQ(refused.code(), "upstream_error");
    EXPECT_EQ(refused.extra()["graph_error"],
              json({{"code", 131047}, {"title", "Re-engagement message"}, {"details", "more than 24 hours"}}));

    auto unavailable =
        upstream_unavailable(graph::GraphUnavailable{.reason = "circuit_open", .retry_after_seconds = 7});
    EXPECT_EQ(unavailable.status(), http::Status::service_unavailable);
    EXPECT_EQ(unavailable.code(), "upstream_unavailable");
    EXPECT_EQ(unavailable.retry_after(), 7u);
    EXPECT_EQ(upstream_unavailable(graph::GraphUnavailable{.retry_after_seconds = 0}).retry_after(), 1u);
}

}  // namespace
}  // namespace inbox::api
