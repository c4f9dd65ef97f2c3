#include "loadgen/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "loadgen/scenario_error.hpp"

namespace inbox::loadgen {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class ScenarioTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("loadgen-scenario-" + std::to_string(std::random_device{}()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    void write(const std::string& name, const std::string& content) { std::ofstream(dir_ / name) << content; }

    std::string error_of(const std::string& json, const VarMap& vars = {}) {
        try {
            parse_scenario(json, dir_, vars);
        } catch (const ScenarioError& e) {
            return e.what();
        }
        return "no error";
    }

    fs::path dir_;
};

TEST_F(ScenarioTest, ParsesTheDocumentedExample) {
    write("ids.txt", "c1\nc2\n\n# comment\nc3\r\n");
    write("body.json", R"({"entry":[{"changes":[{"value":{"messages":[{"id":"wamid.X"}]}}]}]})");
    const auto scenario = parse_scenario(R"({
        "name": "inbox",
        "vars": {"account_id": "a1", "token": "from-file", "webhook_secret": "s3cret"},
        "id_lists": {"conversation_id": "ids.txt"},
        "requests": [
          {"name": "conversations", "weight": 3, "method": "GET",
           "path": "/accounts/{{account_id}}/conversations?limit=50",
           "headers": {"Authorization": "Bearer {{token}}"}},
          {"name": "messages", "path": "/conversations/{{conversation_id}}/messages"},
          {"name": "webhook", "weight": 1, "method": "POST", "path": "/webhook/whatsapp", "body_file": "body.json",
           "sign_webhook": {"secret_var": "webhook_secret"}, "unique_wamid": true,
           "headers": {"Content-Type": "application/json"}}
        ]})",
                                         dir_, {{"token", "from-cli"}});
    EXPECT_EQ(scenario.name, "inbox");
    ASSERT_EQ(scenario.requests.size(), 3u);
    EXPECT_EQ(scenario.total_weight(), 5u);
    EXPECT_EQ(scenario.requests[1].method, "GET");  // the default
    EXPECT_EQ(scenario.requests[1].weight, 1u);
    EXPECT_EQ(scenario.id_lists.at(0), (std::vector<std::string>{"c1", "c2", "c3"}));
    EXPECT_EQ(scenario.requests[2].signing_secret, "s3cret");
    EXPECT_EQ(scenario.requests[2].unique_wamids, 1u);

    std::mt19937_64 rng(1);
    RenderContext context{rng, scenario.id_lists, 0, 0, 0};
    EXPECT_EQ(scenario.requests[0].headers.at(0).second.render(context), "Bearer from-cli");  // --var wins
}

TEST_F(ScenarioTest, ErrorsNameTheField) {
    EXPECT_THAT(error_of("{"), HasSubstr("invalid JSON"));
    EXPECT_THAT(error_of(R"({"name":"x"})"), HasSubstr("missing \"requests\""));
    EXPECT_THAT(error_of(R"({"requests":[]})"), HasSubstr("\"requests\" is empty"));
    EXPECT_THAT(error_of(R"({"requests":[{"name":"a","path":"/x","wieght":2}]})"),
                HasSubstr("requests[0]: unknown field \"wieght\""));
    EXPECT_THAT(error_of(R"({"requests":[{"name":"a","path":"/x","weight":0}]})"),
                HasSubstr("requests[0] (\"a\"): \"weight\" must be an integer"));
    EXPECT_THAT(error_of(R"({"requests":[{"name":"a","path":"x"}]})"), HasSubstr("\"path\" must start with '/'"));
    EXPECT_THAT(error_of(R"({"requests":[{"name":"a","path":"/{{who}}"}]})"),
                HasSubstr("requests[0] (\"a\"): path: unknown placeholder {{who}}"));
    EXPECT_THAT(error_of(R"({"requests":[{"name":"a","path":"/x","headers":{"X":"{{who}}"}}]})"),
                HasSubstr("header \"X\": unknown placeholder {{who}}"));
    EXPECT_THAT(error_of(R"({"requests":[{"name":"a","path":"/x"},{"name":"a","path":"/y"}]})"),
                HasSubstr("duplicate name \"a\""));
    EXPECT_THAT(error_of(R"({"requests":[{"name":"a","path":"/x","body":"{}","body_file":"f"}]})"),
                HasSubstr("either \"body\" or \"body_file\""));
    EXPECT_THAT(error_of(R"({"requests":[{"name":"a","path":"/x","body_file":"missing.json"}]})"),
                HasSubstr("cannot read"));
    EXPECT_THAT(error_of(R"({"requests":[{"name":"a","method":"POST","path":"/x","body":"{}",)"
                         R"("sign_webhook":{"secret_var":"webhook_secret"}}]})"),
                HasSubstr("variable \"webhook_secret\" is not set"));
    EXPECT_THAT(error_of(R"({"requests":[{"name":"a","path":"/x","body":"{}","unique_wamid":true}]})"),
                HasSubstr("has no \"id\": \"wamid"));
    EXPECT_THAT(error_of(R"({"requests":[{"name":"a","path":"/x","headers":{"Content-Length":"1"}}]})"),
                HasSubstr("set by the load generator"));
    EXPECT_THAT(error_of(R"({"vars":{"seq":"1"},"requests":[{"name":"a","path":"/x"}]})"),
                HasSubstr("built-in placeholder"));
    EXPECT_THAT(error_of(R"({"id_lists":{"ids":"none.txt"},"requests":[{"name":"a","path":"/x"}]})"),
                HasSubstr("id_lists: \"ids\": cannot read"));
    EXPECT_THAT(error_of(R"({"requests":[{"name":"a","method":"get","path":"/x"}]})"), HasSubstr("upper-case"));
}

// A list drawn in order gives each id once (request seq modulo the list), e.g. one upload per media send.
TEST_F(ScenarioTest, ASequentialIdListIsDrawnInRequestOrder) {
    write("uploads.txt", "u1\nu2\nu3\n");
    const auto scenario = parse_scenario(
        R"({"id_lists": {"upload": {"file": "uploads.txt", "order": "sequential"}},
            "requests": [{"name": "a", "path": "/{{upload}}"}]})", dir_, {});
    std::mt19937_64 rng(7);
    std::vector<std::string> drawn;
    for (std::uint64_t seq = 0; seq < 4; ++seq) {
        RenderContext context{rng, scenario.id_lists, seq, 0, 0};
        drawn.push_back(scenario.requests[0].path.render(context));
    }
    EXPECT_EQ(drawn, (std::vector<std::string>{"/u1", "/u2", "/u3", "/u1"}));
    EXPECT_THAT(error_of(R"({"id_lists":{"ids":{"file":"uploads.txt","order":"shuffled"}},)"
                         R"("requests":[{"name":"a","path":"/{{ids}}"}]})"),
                HasSubstr("\"order\" must be"));
    EXPECT_THAT(error_of(R"({"id_lists":{"ids":7},"requests":[{"name":"a","path":"/x"}]})"),
                HasSubstr("must be a file name or"));
}

TEST_F(ScenarioTest, EmptyIdListIsAnError) {
    write("empty.txt", "\n# nothing\n");
    EXPECT_THAT(error_of(R"({"id_lists":{"ids":"empty.txt"},"requests":[{"name":"a","path":"/{{ids}}"}]})"),
                HasSubstr("has no ids"));
}

TEST_F(ScenarioTest, LoadScenarioPrefixesErrorsWithTheFileName) {
    write("bad.json", R"({"requests":[{"name":"a","path":"/{{x}}"}]})");
    try {
        load_scenario(dir_ / "bad.json", {});
        FAIL();
    } catch (const ScenarioError& e) {
        EXPECT_THAT(e.what(), HasSubstr("bad.json: requests[0]"));
    }
}

TEST(ShippedScenarios, HealthAndWebhookLoad) {
    const fs::path scenarios = LOADGEN_SCENARIOS_DIR;
    EXPECT_EQ(load_scenario(scenarios / "health.json", {}).requests.at(0).name, "health");
    const auto webhook = load_scenario(scenarios / "webhook.json", {{"webhook_secret", "s"}});
    EXPECT_EQ(webhook.requests.at(0).unique_wamids, 1u);
    EXPECT_TRUE(webhook.requests.at(0).signing_secret);
    EXPECT_THROW(load_scenario(scenarios / "webhook.json", {}), ScenarioError);  // the secret is required
    EXPECT_NO_THROW(load_scenario(scenarios / "inbox.json", {{"account_id", "a"}, {"conversation_id", "c"}, {"token", "t"}}));
    const auto senders = load_scenario(scenarios / "webhook_senders.json", {{"webhook_secret", "s"}});
    EXPECT_EQ(senders.requests.at(0).unique_wamids, 1u);
    EXPECT_TRUE(senders.requests.at(0).signing_secret);
    const auto send = load_scenario(scenarios / "send.json", {{"open_conversation_id", "c"}, {"token", "t"}});
    EXPECT_EQ(send.requests.at(0).method, "POST");
    EXPECT_THROW(load_scenario(scenarios / "send.json", {{"token", "t"}}), ScenarioError);  // needs the id list
    EXPECT_NO_THROW(load_scenario(scenarios / "media.json", {{"stored_media_id", "m"}, {"token", "t"}}));
    EXPECT_NO_THROW(load_scenario(scenarios / "media_first.json", {{"pending_media_id", "m"}, {"token", "t"}}));
    EXPECT_NO_THROW(load_scenario(scenarios / "contacts.json", {{"contact_id", "c"}, {"token", "t"}}));
    EXPECT_NO_THROW(load_scenario(scenarios / "conversations.json", {{"account_id", "a"}, {"token", "t"}}));
    EXPECT_NO_THROW(load_scenario(scenarios / "messages.json", {{"conversation_id", "c"}, {"token", "t"}}));
}

}  // namespace
}  // namespace inbox::loadgen
