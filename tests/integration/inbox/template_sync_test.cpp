// Templates: the stored list, and the sync from the fake Graph API (a real child process) incl. its failures.
#include <gtest/gtest.h>

#include "fake_graph_test.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;

class TemplateSyncTest : public FakeGraphTest {
protected:
    TemplateSyncTest() : FakeGraphTest(fake_graph_options()) {}

    json control(const std::string& path, const json& body) { return fake_control.post(path, body); }
    json recorded_template_requests() { return fake_control.requests("templates"); }
    void preload(const std::string& waba, const json& templates) {
        control("templates", {{"waba_id", waba}, {"templates", templates}});
    }
    std::string sync_target() const { return "/accounts/" + account_a + "/templates/sync"; }

};

TEST_F(TemplateSyncTest, ListIsOrderedByNameThenLanguage) {
    db.execute(
        "INSERT INTO message_templates (account_id, name, language, category, status, body_text,"
        " parameter_count) VALUES"
        " ('" +
        account_a +
        "', 'welcome', 'pt_BR', 'UTILITY', 'APPROVED', 'Olá {{1}}', 1),"
        " ('" +
        account_a +
        "', 'followup', 'en_US', NULL, 'PENDING', NULL, 0),"
        " ('" +
        account_a +
        "', 'welcome', 'en_US', 'UTILITY', 'APPROVED', 'Hi {{1}}', 1),"
        " ('" +
        account_b + "', 'b_only', 'en_US', NULL, 'APPROVED', NULL, 0)");
    auto response = get("/accounts/" + account_a + "/templates", alice);
    ASSERT_EQ(response.status, 200) << response.body;
    auto data = json_of(response)["data"];
    ASSERT_EQ(data.size(), 3u);
    EXPECT_EQ(data[0]["name"], "followup");
    EXPECT_EQ(data[0]["category"], nullptr);
    EXPECT_EQ(data[0]["body_text"], nullptr);
    EXPECT_EQ(data[1]["language"], "en_US");
    EXPECT_EQ(data[2]["language"], "pt_BR");
    EXPECT_EQ(data[2]["body_text"], "Olá {{1}}");
    EXPECT_EQ(data[2]["parameter_count"], 1);
    // id, name, language, category, status, body_text, parameter_count, components, parameters
    EXPECT_EQ(data[2].size(), 9u);
    EXPECT_EQ(data[2]["components"], json::array()) << "stored before components were synced";
    EXPECT_EQ(data[2]["parameters"], json({{"header", 0}, {"body", 1}, {"buttons", json::array()}}));
    EXPECT_EQ(json_of(get("/accounts/" + account_b + "/templates", bob))["data"].size(), 1u);
}

TEST_F(TemplateSyncTest, SyncUpsertsEveryListedTemplateInTwoStatements) {
    db.execute("INSERT INTO message_templates (account_id, name, language, status) VALUES ('" + account_a +
               "', 'welcome', 'en_US', 'PENDING')");
    json templates = json::array();
    templates.push_back({{"name", "welcome"},
                         {"language", "en_US"},
                         {"status", "APPROVED"},
                         {"category", "UTILITY"},
                         {"body_text", "Hi {{1}}, your order {{2}} shipped"}});
    for (int i = 0; i < 30; ++i) {  // more than one Graph page
        templates.push_back({{"name", "promo_" + std::to_string(i)}, {"body_text", "Sale"}});
    }
    preload("WABA-A", templates);
    preload("WABA-B", json::array({{{"name", "not_ours"}}}));

    const auto before = server_.db_statements();
    auto response = post(sync_target(), alice);
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(json_of(response), json({{"synced", 31}}));
    EXPECT_EQ(server_.db_statements() - before, 2u);

    auto data = json_of(get("/accounts/" + account_a + "/templates", alice))["data"];
    ASSERT_EQ(data.size(), 31u);
    const auto& welcome = data.back();
    EXPECT_EQ(welcome["name"], "welcome");
    EXPECT_EQ(welcome["status"], "APPROVED");  // the stored PENDING row was updated, not duplicated
    EXPECT_EQ(welcome["category"], "UTILITY");
    EXPECT_EQ(welcome["body_text"], "Hi {{1}}, your order {{2}} shipped");
    EXPECT_EQ(welcome["parameter_count"], 2);
    // Meta's components are kept, and what a send fills in follows from them.
    EXPECT_EQ(welcome["components"], json::array({{{"type", "BODY"}, {"text", "Hi {{1}}, your order {{2}} shipped"}}}));
    EXPECT_EQ(welcome["parameters"]["body"], 2);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM message_templates WHERE account_id = '" + account_b + "'"), "0");
    EXPECT_FALSE(db.query_value("SELECT wa_template_id FROM message_templates WHERE name = 'welcome'").empty());

    // The account's own token went to Meta, for the account's WABA; it never shows in our answers.
    auto requests = recorded_template_requests();
    ASSERT_FALSE(requests.empty());
    EXPECT_EQ(requests[0]["authorization"], "Bearer graph-token-of-a");
    EXPECT_NE(requests[0]["target"].get<std::string>().find("/WABA-A/message_templates"), std::string::npos);
    EXPECT_EQ(response.body.find("graph-token-of-a"), std::string::npos);

    // A second sync changes nothing but timestamps.
    EXPECT_EQ(json_of(post(sync_target(), alice)), json({{"synced", 31}}));
    EXPECT_EQ(db.query_value("SELECT count(*) FROM message_templates"), "31");
}

TEST_F(TemplateSyncTest, AnEmptyListSyncsNothing) {
    auto response = post(sync_target(), alice);
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(json_of(response), json({{"synced", 0}}));
}

TEST_F(TemplateSyncTest, GraphRefusalIs502WithTheGraphError) {
    control(
        "knobs",
        {{"families",
          {{"templates", {{"failure", {{"status", 400}, {"code", 100}, {"details", "bad waba"}, {"count", 1}}}}}}}});
    auto response = post(sync_target(), alice);
    ASSERT_EQ(response.status, 502) << response.body;
    auto error = json_of(response)["error"];
    EXPECT_EQ(error["code"], "upstream_error");
    EXPECT_EQ(error["graph_error"]["code"], 100);
    EXPECT_TRUE(error["graph_error"].contains("title"));
    EXPECT_EQ(error["graph_error"]["details"], "bad waba");
    EXPECT_EQ(response.body.find("graph-token-of-a"), std::string::npos);
}

TEST_F(TemplateSyncTest, GraphOutageIs503WithRetryAfterAndAnOpenCircuitCallsNothing) {
    control("knobs", {{"families", {{"templates", {{"failure", {{"code", 2}}}}}}}});  // every call fails
    for (int i = 0; i < 5; ++i) {
        auto response = post(sync_target(), alice);
        ASSERT_EQ(response.status, 503) << response.body;
        EXPECT_EQ(json_of(response)["error"]["code"], "upstream_unavailable");
        EXPECT_GE(std::stoi(response.header("Retry-After")), 1);
    }
    const auto calls = recorded_template_requests().size();
    auto response = post(sync_target(), alice);  // the breaker is open now
    ASSERT_EQ(response.status, 503);
    EXPECT_EQ(json_of(response)["error"]["code"], "upstream_unavailable");
    EXPECT_GE(std::stoi(response.header("Retry-After")), 1);
    EXPECT_EQ(recorded_template_requests().size(), calls);
}

}  // namespace
}  // namespace inbox::testing
