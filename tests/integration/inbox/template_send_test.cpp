// Template sends (API.md Part 2, "Templates with components, and new conversations") on a real server over a real
// database, against the fake Graph API run as a child process. The fake checks parameter counts against its own
// copy of the template, independently of the server's counting.
#include <gtest/gtest.h>

#include "fake_graph_test.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;
using namespace std::string_literals;

constexpr const char* kSendTemplate = "/messages/send-template";
const std::string kHeaderPng = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR"s + std::string(400, '\x05');

// A SQL string literal (tests only: values written here, not user input).
std::string sql_literal(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// An image header, a body of two parameters, a quick reply and a URL button with a suffix.
const json kOrderUpdateComponents = json::parse(R"([
  {"type": "HEADER", "format": "IMAGE"},
  {"type": "BODY", "text": "Hi {{1}}, your order {{2}} is on its way."},
  {"type": "FOOTER", "text": "Reply STOP to opt out"},
  {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Thanks"},
                                  {"type": "URL", "text": "Track", "url": "https://shop.test/track/{{1}}"}]}
])");

class TemplateSendTest : public FakeGraphTest {
protected:
    TemplateSendTest() : FakeGraphTest(fake_graph_options()) {}

    // The template stored for the account (as a sync would) and known to the fake, which checks sends against it.
    void store_template(const std::string& name, const json& components, const std::string& status = "APPROVED",
                        const std::string& account = "") {
        std::string body;
        for (const auto& c : components) {
            if (c["type"] == "BODY") body = c["text"];
        }
        db.execute("INSERT INTO message_templates (account_id, name, language, category, status, body_text,"
                   " parameter_count, components) VALUES ('" + (account.empty() ? account_a : account) + "', '" +
                   name + "', 'en_US', 'UTILITY', '" + status + "', " + sql_literal(body) + ", 0, " +
                   sql_literal(components.dump()) + "::jsonb)");
        fake_control.post("templates", {{"templates", json::array({{{"name", name},
                                                                    {"language", "en_US"},
                                                                    {"status", status},
                                                                    {"components", components}}})}});
    }
    std::string upload_png(const std::string& account = "", const std::string& token = "") {
        auto response = http_request(server_.port(), "POST",
                                     "/accounts/" + (account.empty() ? account_a : account) + "/uploads?filename=box.png",
                                     {{"Authorization", "Bearer " + (token.empty() ? alice : token)},
                                      {"Content-Type", "image/png"}},
                                     kHeaderPng);
        EXPECT_EQ(response.status, 201) << response.body;
        return response.status == 201 ? json_of(response)["upload"]["id"].get<std::string>() : "";
    }
    json order_update(const json& header) {
        return {{"name", "order_update"},
                {"language", "en_US"},
                {"header", header},
                {"body", {"Sheena", "#1234"}},
                {"buttons", {{{"index", 1}, {"text", "1234"}}}}};
    }
    RawResponse send_template(json body, const std::optional<std::string>& key = std::nullopt,
                              const std::string& token = "") {
        return post_json(server_.port(), kSendTemplate, token.empty() ? alice : token, body.dump(), key);
    }
    std::string old_conversation() {
        return add_conversation(account_a, "now() - interval '3 days'", "open", 0, "now() - interval '3 days'");
    }
    std::size_t graph_sends() { return fake_control.requests("messages").size(); }
};

TEST_F(TemplateSendTest, EveryComponentGoesOutAsMetaDocumentsItOutsideTheWindow) {
    store_template("order_update", kOrderUpdateComponents);
    const auto id = old_conversation();
    const auto upload_id = upload_png();
    auto response = send_template({{"conversation_id", id}, {"template", order_update({{"upload_id", upload_id}})}});
    ASSERT_EQ(response.status, 201) << response.body;
    const auto answer = json_of(response);
    const auto& message = answer["message"];
    EXPECT_EQ(message["type"], "template");
    EXPECT_EQ(message["status"], "sent");
    EXPECT_EQ(message["text"], "Hi Sheena, your order #1234 is on its way.");
    EXPECT_EQ(message["template"], json({{"name", "order_update"}, {"language", "en_US"}}));
    EXPECT_EQ(message["media"]["state"], "stored") << "the header image shows from our own store";
    EXPECT_EQ(answer["conversation"]["id"], id);
    EXPECT_EQ(answer["conversation"]["last_message_preview"], "Hi Sheena, your order #1234 is on its way.");

    // The header's bytes went to Meta once, then the template with every component in Meta's shape.
    ASSERT_EQ(fake_control.requests("media_upload").size(), 1u);
    auto sends = fake_control.requests("messages");
    ASSERT_EQ(sends.size(), 1u);
    const auto sent = sends[0]["json"];
    EXPECT_EQ(sent["type"], "template");
    EXPECT_EQ(sent["template"]["name"], "order_update");
    EXPECT_EQ(sent["template"]["language"]["code"], "en_US");
    const auto& components = sent["template"]["components"];
    ASSERT_EQ(components.size(), 3u) << components.dump();
    EXPECT_EQ(components[0]["type"], "header");
    EXPECT_TRUE(components[0]["parameters"][0]["image"]["id"].get<std::string>().starts_with("fake-media-"));
    EXPECT_EQ(components[1], json::parse(R"({"type":"body","parameters":[{"type":"text","text":"Sheena"},
                                           {"type":"text","text":"#1234"}]})"));
    EXPECT_EQ(components[2], json::parse(R"({"type":"button","sub_type":"url","index":"1",
                                           "parameters":[{"type":"text","text":"1234"}]})"));
    EXPECT_EQ(sent["biz_opaque_callback_data"], message["id"]);
}

TEST_F(TemplateSendTest, ANewNumberGetsItsContactAndConversationListedAtOnce) {
    store_template("welcome", json::parse(R"([{"type":"BODY","text":"Welcome, {{1}}!"}])"));
    // The list is cached first, so a stale page would show.
    ASSERT_EQ(json_of(get("/accounts/" + account_a + "/conversations", alice))["data"].size(), 0u);
    const json to_number = {{"account_id", account_a}, {"wa_id", "16505551234"}};
    auto body = to_number;
    body["template"] = {{"name", "welcome"}, {"language", "en_US"}, {"body", {"Ana"}}};
    auto response = send_template(body);
    ASSERT_EQ(response.status, 201) << response.body;
    const auto conversation = json_of(response)["conversation"];
    EXPECT_EQ(conversation["contact"]["wa_id"], "16505551234");
    EXPECT_EQ(fake_control.requests("messages")[0]["json"]["to"], "16505551234");

    auto listed = json_of(get("/accounts/" + account_a + "/conversations", alice))["data"];
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["id"], conversation["id"]);
    EXPECT_EQ(listed[0]["last_message_preview"], "Welcome, Ana!");

    // The same number again: the same contact and conversation.
    auto again = send_template(body);
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(json_of(again)["conversation"]["id"], conversation["id"]);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM contacts WHERE wa_id = '16505551234'"), "1");

    // Numbers are digits only, 8 to 15 of them; an account the user is not a member of is unknown.
    for (const auto* bad : {"+16505551234", "1650555", "1234567890123456", "0650555123", "1650 555 1234"}) {
        body["wa_id"] = bad;
        auto refused = send_template(body);
        EXPECT_EQ(refused.status, 422) << bad << ": " << refused.body;
        EXPECT_EQ(json_of(refused)["error"]["code"], "validation_failed");
    }
    body["wa_id"] = "16505559999";
    body["account_id"] = account_b;
    EXPECT_EQ(send_template(body).status, 404);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM contacts WHERE wa_id = '16505559999'"), "0");
    EXPECT_EQ(graph_sends(), 2u);
}

TEST_F(TemplateSendTest, ValuesThatDoNotFitTheTemplateAreRefusedBeforeMeta) {
    store_template("order_update", kOrderUpdateComponents);
    store_template("draft_promo", json::parse(R"([{"type":"BODY","text":"Soon"}])"), "PENDING");
    const auto id = old_conversation();
    const auto upload_id = upload_png();
    auto values = order_update({{"upload_id", upload_id}});
    values["body"] = {"Sheena"};
    auto short_body = send_template({{"conversation_id", id}, {"template", values}});
    ASSERT_EQ(short_body.status, 422) << short_body.body;
    EXPECT_EQ(json_of(short_body)["error"]["code"], "validation_failed");
    EXPECT_EQ(json_of(short_body)["error"]["message"], "body: this template takes 2 parameters, 1 given");

    auto text_header = send_template({{"conversation_id", id}, {"template", order_update({{"text", "Hi"}})}});
    EXPECT_EQ(text_header.status, 422);
    EXPECT_TRUE(json_of(text_header)["error"]["message"].get<std::string>().starts_with("header:"));

    values = order_update({{"upload_id", upload_id}});
    values["buttons"] = json::array();
    auto no_button = send_template({{"conversation_id", id}, {"template", values}});
    EXPECT_EQ(no_button.status, 422);
    EXPECT_TRUE(json_of(no_button)["error"]["message"].get<std::string>().starts_with("buttons:"));

    auto pending = send_template({{"conversation_id", id}, {"template", {{"name", "draft_promo"}, {"language", "en_US"}}}});
    EXPECT_EQ(pending.status, 422);
    EXPECT_EQ(json_of(pending)["error"]["code"], "no_approved_template");
    auto unknown = send_template({{"conversation_id", id}, {"template", {{"name", "nope"}, {"language", "en_US"}}}});
    EXPECT_EQ(json_of(unknown)["error"]["code"], "no_approved_template");

    // A header upload of the wrong kind, and malformed bodies.
    auto pdf = http_request(server_.port(), "POST", "/accounts/" + account_a + "/uploads",
                            {{"Authorization", "Bearer " + alice}, {"Content-Type", "application/pdf"}},
                            "%PDF-1.7\n" + std::string(100, 'x'));
    ASSERT_EQ(pdf.status, 201);
    auto wrong_kind = send_template(
        {{"conversation_id", id}, {"template", order_update({{"upload_id", json_of(pdf)["upload"]["id"]}})}});
    EXPECT_EQ(wrong_kind.status, 422) << wrong_kind.body;
    EXPECT_EQ(send_template({{"conversation_id", id}}).status, 422);
    EXPECT_EQ(send_template({{"conversation_id", id}, {"account_id", account_a}, {"wa_id", "16505551234"},
                             {"template", order_update(nullptr)}})
                  .status,
              422);
    values = order_update({{"upload_id", upload_id}});
    values["buttons"] = {{{"index", 1}, {"text", "a"}}, {{"index", 1}, {"text", "b"}}};
    EXPECT_EQ(send_template({{"conversation_id", id}, {"template", values}}).status, 422);

    EXPECT_EQ(graph_sends(), 0u);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM messages WHERE direction = 'outbound'"), "0");
}

// A header upload is an object of its account like any other: one of account B is not found for A's send.
TEST_F(TemplateSendTest, AHeaderUploadOfAnotherAccountIsNotFound) {
    store_template("order_update", kOrderUpdateComponents);
    const auto id = old_conversation();
    const auto bobs_upload = upload_png(account_b, bob);
    ASSERT_FALSE(bobs_upload.empty());
    auto response = send_template({{"conversation_id", id}, {"template", order_update({{"upload_id", bobs_upload}})}});
    EXPECT_EQ(response.status, 404) << response.body;
    EXPECT_EQ(json_of(response)["error"]["code"], "not_found");
    EXPECT_TRUE(fake_control.requests("media_upload").empty()) << "B's bytes never went to Meta for A";
    EXPECT_EQ(graph_sends(), 0u);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM messages WHERE direction = 'outbound'"), "0");
}

TEST_F(TemplateSendTest, MetasRefusalsAreStoredFailedAndAnswered502) {
    store_template("welcome", json::parse(R"([{"type":"BODY","text":"Welcome, {{1}}!"}])"));
    // 131026: the number is not on WhatsApp.
    fake_control.post("knobs", {{"undeliverable_to", {"16505550000"}}});
    auto not_on_whatsapp = send_template({{"account_id", account_a},
                                          {"wa_id", "16505550000"},
                                          {"template", {{"name", "welcome"}, {"language", "en_US"}, {"body", {"x"}}}}});
    ASSERT_EQ(not_on_whatsapp.status, 502) << not_on_whatsapp.body;
    auto error = json_of(not_on_whatsapp)["error"];
    EXPECT_EQ(error["code"], "upstream_error");
    EXPECT_EQ(error["graph_error"]["code"], 131026);
    const auto failed_id = error["message_id"].get<std::string>();
    EXPECT_EQ(db.query_value("SELECT status || ' ' || (error->>'code') FROM messages WHERE id = '" + failed_id + "'"),
              "failed 131026");

    // 132000: our copy of the template says one parameter, Meta's says two (it was edited since the last sync).
    db.execute("INSERT INTO message_templates (account_id, name, language, status, body_text, components) VALUES ('" +
               account_a + "', 'edited', 'en_US', 'APPROVED', 'Hi {{1}}', '[{\"type\":\"BODY\",\"text\":\"Hi {{1}}\"}]')");
    fake_control.post("templates", {{"templates", json::array({{{"name", "edited"},
                                                                {"language", "en_US"},
                                                                {"components", json::parse(R"([{"type":"BODY",
                                                                  "text":"Hi {{1}}, {{2}}"}])")}}})}});
    const auto id = old_conversation();
    auto mismatch = send_template({{"conversation_id", id},
                                   {"template", {{"name", "edited"}, {"language", "en_US"}, {"body", {"Ana"}}}}});
    ASSERT_EQ(mismatch.status, 502) << mismatch.body;
    EXPECT_EQ(json_of(mismatch)["error"]["graph_error"]["code"], 132000);

    // 132001: stored here, unknown to Meta (deleted there).
    db.execute("INSERT INTO message_templates (account_id, name, language, status, body_text) VALUES ('" + account_a +
               "', 'deleted_there', 'en_US', 'APPROVED', 'Bye')");
    fake_control.post("knobs", {{"require_known_templates", true}});
    auto missing = send_template({{"conversation_id", id},
                                  {"template", {{"name", "deleted_there"}, {"language", "en_US"}}}});
    ASSERT_EQ(missing.status, 502) << missing.body;
    EXPECT_EQ(json_of(missing)["error"]["graph_error"]["code"], 132001);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM messages WHERE status = 'failed'"), "3");
}

TEST_F(TemplateSendTest, OneKeyOneSend) {
    store_template("welcome", json::parse(R"([{"type":"BODY","text":"Welcome, {{1}}!"}])"));
    const json body = {{"account_id", account_a},
                       {"wa_id", "16505551234"},
                       {"template", {{"name", "welcome"}, {"language", "en_US"}, {"body", {"Ana"}}}}};
    auto first = send_template(body, "welcome-ana");
    ASSERT_EQ(first.status, 201) << first.body;
    auto repeat = send_template(body, "welcome-ana");
    ASSERT_EQ(repeat.status, 200) << repeat.body;
    EXPECT_EQ(json_of(repeat)["message"]["id"], json_of(first)["message"]["id"]);
    EXPECT_EQ(json_of(repeat)["conversation"]["id"], json_of(first)["conversation"]["id"]);
    auto other = body;
    other["template"]["body"] = {"Bea"};
    EXPECT_EQ(send_template(other, "welcome-ana").status, 409);
    EXPECT_EQ(graph_sends(), 1u);

    // An outage is retried under the key: the same row, sent once.
    fake_control.fail("messages", {{"status", 503}, {"code", 2}, {"count", 1}});
    auto outage = send_template(other, "welcome-bea");
    ASSERT_EQ(outage.status, 503) << outage.body;
    auto retried = send_template(other, "welcome-bea");
    ASSERT_EQ(retried.status, 201) << retried.body;
    EXPECT_EQ(json_of(retried)["message"]["id"], json_of(outage)["error"]["message_id"]);
    EXPECT_EQ(json_of(retried)["message"]["text"], "Welcome, Bea!");
}

TEST_F(TemplateSendTest, TheListShowsComponentsAndWhatASendFillsIn) {
    store_template("order_update", kOrderUpdateComponents);
    auto data = json_of(get("/accounts/" + account_a + "/templates", alice))["data"];
    ASSERT_EQ(data.size(), 1u);
    EXPECT_EQ(data[0]["components"], kOrderUpdateComponents);
    EXPECT_EQ(data[0]["parameters"], json::parse(R"({"header": 1, "body": 2, "buttons": [
        {"index": 0, "type": "QUICK_REPLY", "parameter_count": 0},
        {"index": 1, "type": "URL", "parameter_count": 1}]})"));
}

}  // namespace
}  // namespace inbox::testing
