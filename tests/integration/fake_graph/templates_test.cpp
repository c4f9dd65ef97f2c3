// Message templates of fake-graph: preload, Graph-style paging, creation.
#include <set>

#include "fake_graph_fixture.hpp"

namespace fake_graph::testing {
namespace {

using nlohmann::json;
using Templates = FakeGraphTest;

TEST_F(Templates, PagingWalksAllPages) {
    json templates = json::array();
    for (int i = 0; i < 7; ++i) {
        templates.push_back({{"name", "t" + std::to_string(i)}, {"body_text", "Hello {{1}}"}});
    }
    templates[6]["status"] = "REJECTED";
    control("templates", {{"waba_id", "102290129340398"}, {"templates", templates}});

    std::set<std::string> names;
    std::vector<std::size_t> page_sizes;
    std::string target = "/v21.0/102290129340398/message_templates?limit=3";
    while (!target.empty()) {
        const auto page = client().get(target, kToken);
        ASSERT_EQ(page.status, 200) << page.body;
        const auto body = page.json();
        page_sizes.push_back(body["data"].size());
        for (const auto& t : body["data"]) names.insert(t["name"].get<std::string>());
        EXPECT_FALSE(body["paging"]["cursors"]["before"].get<std::string>().empty());
        EXPECT_FALSE(body["paging"]["cursors"]["after"].get<std::string>().empty());
        target = body["paging"].contains("next") ? target_of(body["paging"]["next"], authority()) : "";
    }
    EXPECT_EQ(page_sizes, (std::vector<std::size_t>{3, 3, 1}));
    EXPECT_EQ(names.size(), 7u);

    const auto first = client().get("/v21.0/102290129340398/message_templates?limit=1", kToken).json()["data"][0];
    EXPECT_EQ(first["status"], "APPROVED");
    EXPECT_EQ(first["language"], "en_US");
    EXPECT_EQ(first["components"], json::parse(R"([{"type":"BODY","text":"Hello {{1}}"}])"));
}

TEST_F(Templates, TemplatesOfAnotherWabaAreNotListed) {
    control("templates", {{"waba_id", "A"}, {"templates", {{{"name", "only_a"}}}}});
    control("templates", {{"name", "everyone"}});  // no waba_id: every WABA sees it
    const auto listed = client().get("/v21.0/B/message_templates", kToken).json();
    ASSERT_EQ(listed["data"].size(), 1u);
    EXPECT_EQ(listed["data"][0]["name"], "everyone");
}

TEST_F(Templates, CreateAnswersPendingAndIsListed) {
    const auto created = client().post("/v21.0/W/message_templates",
                                       {{"name", "reengage"}, {"language", "en_US"}, {"category", "UTILITY"},
                                        {"components", {{{"type", "BODY"}, {"text", "Hi {{1}}"}}}}},
                                       kToken);
    ASSERT_EQ(created.status, 200) << created.body;
    EXPECT_EQ(created.json()["status"], "PENDING");
    EXPECT_EQ(created.json()["category"], "UTILITY");
    const auto listed = client().get("/v21.0/W/message_templates", kToken).json()["data"];
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["id"], created.json()["id"]);
    EXPECT_EQ(listed[0]["status"], "PENDING");
    EXPECT_EQ(control_get("requests?family=templates")["requests"][0]["json"]["name"], "reengage");
}

TEST_F(Templates, UnknownCursorAnswersCode100) {
    const auto result = client().get("/v21.0/W/message_templates?after=bm9wZQ", kToken);
    EXPECT_EQ(result.status, 400);
    EXPECT_EQ(result.json()["error"]["code"], 100);
}

}  // namespace
}  // namespace fake_graph::testing
