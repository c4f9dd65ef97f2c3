#include "inbox/graph/graph_payloads.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace inbox::graph {
namespace {

using nlohmann::json;

TEST(GraphPayloads, TextMessageBody) {
    const auto body = json::parse(text_message_body({"+1 650 555 1234"}, "Hi \"there\""));
    EXPECT_EQ(body["messaging_product"], "whatsapp");
    EXPECT_EQ(body["to"], "+1 650 555 1234");
    EXPECT_EQ(body["type"], "text");
    EXPECT_EQ(body["text"]["body"], "Hi \"there\"");
    EXPECT_FALSE(body.contains("context"));
}

TEST(GraphPayloads, TextReplyCarriesTheContext) {
    const auto body = json::parse(text_message_body({"1", std::string("wamid.ABC")}, "yes"));
    EXPECT_EQ(body["context"]["message_id"], "wamid.ABC");
}

TEST(GraphPayloads, EveryKindOfMessageCarriesOurCallbackData) {
    const MessageEnvelope envelope{"1555", std::nullopt, std::string("6f1c2a4e-0000-4000-8000-000000000001")};
    for (const auto& text : {text_message_body(envelope, "hi"), template_message_body(envelope, "t", "en", {"x"})}) {
        const auto body = json::parse(text);
        EXPECT_EQ(body["biz_opaque_callback_data"], "6f1c2a4e-0000-4000-8000-000000000001") << text;
    }
    EXPECT_FALSE(json::parse(text_message_body({"1555"}, "hi")).contains("biz_opaque_callback_data"));
}

TEST(GraphPayloads, TemplateMessageBodyWithParameters) {
    const auto body = json::parse(template_message_body({"1555"}, "reengage", "en_US", {"Hello", "again"}));
    EXPECT_EQ(body["type"], "template");
    EXPECT_EQ(body["template"]["name"], "reengage");
    EXPECT_EQ(body["template"]["language"]["code"], "en_US");
    const auto& parameters = body["template"]["components"][0]["parameters"];
    EXPECT_EQ(body["template"]["components"][0]["type"], "body");
    ASSERT_EQ(parameters.size(), 2u);
    EXPECT_EQ(parameters[1], json({{"type", "text"}, {"text", "again"}}));
}

TEST(GraphPayloads, TemplateWithoutParametersHasNoComponents) {
    const auto body = json::parse(template_message_body({"1555"}, "hello_world", "en_US", {}));
    EXPECT_FALSE(body["template"].contains("components"));
}

TEST(GraphPayloads, TemplateCreationAddsExamplesPerParameter) {
    const auto body = json::parse(template_creation_body("reengage", "en_US", "UTILITY", "Hi {{1}}, see {{2}}"));
    EXPECT_EQ(body["name"], "reengage");
    EXPECT_EQ(body["category"], "UTILITY");
    EXPECT_EQ(body["components"][0]["type"], "BODY");
    EXPECT_EQ(body["components"][0]["text"], "Hi {{1}}, see {{2}}");
    EXPECT_EQ(body["components"][0]["example"]["body_text"][0].size(), 2u);
    const auto plain = json::parse(template_creation_body("n", "en", "MARKETING", "No parameters"));
    EXPECT_FALSE(plain["components"][0].contains("example"));
}

TEST(GraphPayloads, ParsesTheWamid) {
    const auto sent = parse_sent_message(
        R"({"messaging_product":"whatsapp","contacts":[{"input":"1","wa_id":"1"}],"messages":[{"id":"wamid.X="}]})");
    ASSERT_TRUE(sent);
    EXPECT_EQ(sent->wamid, "wamid.X=");
    EXPECT_FALSE(parse_sent_message(R"({"messages":[]})"));
    EXPECT_FALSE(parse_sent_message("not json"));
}

TEST(GraphPayloads, ParsesMediaMeta) {
    const auto meta = parse_media_meta(R"({"messaging_product":"whatsapp","url":"https://lookaside.fbsbx.com/x",
        "mime_type":"image/jpeg","sha256":"abc","file_size":65536,"id":"123"})");
    ASSERT_TRUE(meta);
    EXPECT_EQ(meta->url, "https://lookaside.fbsbx.com/x");
    EXPECT_EQ(meta->mime_type, "image/jpeg");
    EXPECT_EQ(meta->sha256, "abc");
    EXPECT_EQ(meta->file_size, 65536u);
    EXPECT_EQ(meta->id, "123");
    EXPECT_EQ(parse_media_meta(R"({"url":"u","file_size":"12"})")->file_size, 12u);
    EXPECT_FALSE(parse_media_meta(R"({"url":"u"})"));
    EXPECT_FALSE(parse_media_meta(R"({"file_size":1})"));
}

TEST(GraphPayloads, ParsesATemplatePageAndItsCursor) {
    const auto page = parse_template_page(R"({"data":[
        {"id":"1","name":"reengage","language":"en_US","status":"APPROVED","category":"UTILITY",
         "components":[{"type":"HEADER","text":"x"},{"type":"BODY","text":"Hi {{1}}"}]},
        {"id":"2","name":"plain","language":"de","status":"PENDING","category":"MARKETING","components":[]}],
        "paging":{"cursors":{"before":"B","after":"A2"},"next":"https://g/v21.0/W/message_templates?after=A2"}})");
    ASSERT_TRUE(page);
    ASSERT_EQ(page->templates.size(), 2u);
    EXPECT_EQ(page->templates[0].name, "reengage");
    EXPECT_EQ(page->templates[0].status, "APPROVED");
    EXPECT_EQ(page->templates[0].body_text, "Hi {{1}}");
    EXPECT_EQ(page->templates[0].parameter_count, 1);
    EXPECT_EQ(page->templates[1].body_text, "");
    EXPECT_EQ(page->next_after, "A2");
}

TEST(GraphPayloads, LastTemplatePageHasNoNext) {
    const auto page = parse_template_page(R"({"data":[{"name":"x"}],"paging":{"cursors":{"before":"B","after":"A"}}})");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->next_after, "");
    EXPECT_TRUE(parse_template_page(R"({"data":[]})"));
    EXPECT_FALSE(parse_template_page(R"({"paging":{}})"));
}

TEST(GraphPayloads, CountsDistinctBodyParameters) {
    EXPECT_EQ(count_body_parameters("Hi {{1}}, {{2}} and {{1}}"), 2);
    EXPECT_EQ(count_body_parameters("No parameters"), 0);
    EXPECT_EQ(count_body_parameters("{{x}} {{0}} {{ 1}} {{3"), 0);
}

TEST(GraphPayloads, ParsesCreatedTemplateAndContactProfile) {
    const auto created = parse_created_template(R"({"id":"77","status":"PENDING","category":"UTILITY"})");
    ASSERT_TRUE(created);
    EXPECT_EQ(created->id, "77");
    EXPECT_EQ(created->status, "PENDING");
    const auto profile = parse_contact_profile(R"({"wa_id":"1555","profile_name":"Ada"})");
    ASSERT_TRUE(profile);
    EXPECT_EQ(profile->profile_name, "Ada");
    EXPECT_FALSE(parse_contact_profile("{}"));
}

}  // namespace
}  // namespace inbox::graph
