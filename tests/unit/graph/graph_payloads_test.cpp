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
    for (const auto& text : {text_message_body(envelope, "hi"), template_message_body(envelope, body_only_template("t", "en", {"x"}))}) {
        const auto body = json::parse(text);
        EXPECT_EQ(body["biz_opaque_callback_data"], "6f1c2a4e-0000-4000-8000-000000000001") << text;
    }
    EXPECT_FALSE(json::parse(text_message_body({"1555"}, "hi")).contains("biz_opaque_callback_data"));
}

TEST(GraphPayloads, TemplateMessageBodyWithParameters) {
    const auto body = json::parse(template_message_body({"1555"}, body_only_template("reengage", "en_US", {"Hello", "again"})));
    EXPECT_EQ(body["type"], "template");
    EXPECT_EQ(body["template"]["name"], "reengage");
    EXPECT_EQ(body["template"]["language"]["code"], "en_US");
    const auto& parameters = body["template"]["components"][0]["parameters"];
    EXPECT_EQ(body["template"]["components"][0]["type"], "body");
    ASSERT_EQ(parameters.size(), 2u);
    EXPECT_EQ(parameters[1], json({{"type", "text"}, {"text", "again"}}));
}

TEST(GraphPayloads, TemplateWithoutParametersHasNoComponents) {
    const auto body = json::parse(template_message_body({"1555"}, body_only_template("hello_world", "en_US", {})));
    EXPECT_FALSE(body["template"].contains("components"));
}

// Meta's documented shape: header media by id (a document's filename with it), text parameters in order, each
// button with its sub_type and its index as a string.
TEST(GraphPayloads, TemplateMessageBodyWithEveryComponent) {
    OutboundTemplate outbound{"order_update", "en_US", {}};
    outbound.components.push_back({"header", std::nullopt, std::nullopt, {{"document", "MEDIA1", "invoice.pdf"}}});
    outbound.components.push_back({"body", std::nullopt, std::nullopt, {{"text", "Sheena", {}}, {"text", "#1", {}}}});
    outbound.components.push_back({"button", "url", 1, {{"text", "track/1", {}}}});
    outbound.components.push_back({"button", "copy_code", 3, {{"coupon_code", "SAVE10", {}}}});
    const auto body = json::parse(template_message_body({"1555"}, outbound));
    const auto& components = body["template"]["components"];
    ASSERT_EQ(components.size(), 4u);
    EXPECT_EQ(components[0], json::parse(R"({"type":"header","parameters":[{"type":"document",
              "document":{"id":"MEDIA1","filename":"invoice.pdf"}}]})"));
    EXPECT_EQ(components[1]["parameters"][1], json({{"type", "text"}, {"text", "#1"}}));
    EXPECT_FALSE(components[1].contains("index"));
    EXPECT_EQ(components[2], json::parse(R"({"type":"button","sub_type":"url","index":"1",
              "parameters":[{"type":"text","text":"track/1"}]})"));
    EXPECT_EQ(components[3]["parameters"][0], json({{"type", "coupon_code"}, {"coupon_code", "SAVE10"}}));
}

TEST(GraphPayloads, TemplatePageKeepsTheComponents) {
    const auto page = parse_template_page(
        R"({"data":[{"name":"a","components":[{"type":"HEADER","format":"IMAGE"},{"type":"BODY","text":"Hi {{1}}"}]},
                    {"name":"b"}]})");
    ASSERT_TRUE(page);
    ASSERT_EQ(page->templates.size(), 2u);
    EXPECT_EQ(json::parse(page->templates[0].components_json)[0]["format"], "IMAGE");
    EXPECT_EQ(page->templates[0].parameter_count, 1);
    EXPECT_EQ(page->templates[1].components_json, "");
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
