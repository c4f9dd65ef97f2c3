#include "loadgen/template.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "loadgen/scenario_error.hpp"

namespace inbox::loadgen {
namespace {

using ::testing::HasSubstr;

struct Fixture {
    std::mt19937_64 rng{42};
    std::vector<std::vector<std::string>> id_lists{{"c1", "c2", "c3", "c4"}};
    TemplateBindings bindings{{{"account_id", "acc-1"}, {"token", "T0K"}}, {{"conversation_id", 0}}};

    RenderContext context(std::uint64_t seq = 7, std::int64_t now = 1764000000) {
        return RenderContext{rng, id_lists, seq, now, 0xABCDEF};
    }
};

std::string read_fixture(const std::string& name) {
    std::ifstream in(std::string(LOADGEN_FIXTURES_DIR) + "/webhooks/" + name);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(Template, FillsVariables) {
    Fixture f;
    auto context = f.context();
    const auto compiled = Template::compile("/accounts/{{account_id}}/conversations?t={{ token }}", f.bindings);
    EXPECT_EQ(compiled.render(context), "/accounts/acc-1/conversations?t=T0K");
}

TEST(Template, TextWithoutPlaceholdersIsUnchanged) {
    Fixture f;
    auto context = f.context();
    EXPECT_EQ(Template::compile("/health", f.bindings).render(context), "/health");
    EXPECT_EQ(Template::compile("", f.bindings).render(context), "");
}

TEST(Template, UnknownPlaceholderIsAnErrorAtCompileTime) {
    Fixture f;
    try {
        Template::compile("/x/{{nope}}", f.bindings);
        FAIL() << "expected ScenarioError";
    } catch (const ScenarioError& e) {
        EXPECT_THAT(e.what(), HasSubstr("unknown placeholder {{nope}}"));
        EXPECT_THAT(e.what(), HasSubstr("--var nope="));
    }
}

TEST(Template, MalformedPlaceholdersAreErrors) {
    Fixture f;
    EXPECT_THROW(Template::compile("/x/{{account_id", f.bindings), ScenarioError);
    EXPECT_THROW(Template::compile("/x/{{}}", f.bindings), ScenarioError);
    EXPECT_THROW(Template::compile("/x/{{a b}}", f.bindings), ScenarioError);
}

TEST(Template, IdListPicksAreDeterministicForASeedAndVary) {
    Fixture first, second;
    const auto compiled = Template::compile("/conversations/{{conversation_id}}", first.bindings);
    std::vector<std::string> a, b;
    std::set<std::string> distinct;
    for (int i = 0; i < 50; ++i) {
        auto ca = first.context();
        auto cb = second.context();
        a.push_back(compiled.render(ca));
        b.push_back(compiled.render(cb));
        distinct.insert(a.back());
    }
    EXPECT_EQ(a, b);
    EXPECT_EQ(distinct.size(), 4u);  // every id gets picked
}

TEST(Template, BuiltinsSeqNowAndUuid) {
    Fixture f;
    auto context = f.context(12345, 1764000123);
    const auto compiled = Template::compile("{{seq}} {{now_unix}} {{uuid}}", f.bindings);
    const std::string rendered = compiled.render(context);
    EXPECT_TRUE(std::regex_match(
        rendered, std::regex("12345 1764000123 [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << rendered;
    auto again = f.context(12345, 1764000123);
    EXPECT_NE(compiled.render(again), rendered);  // a fresh uuid per render
}

TEST(Template, UniqueWamidsAreDistinctPerRequestAndKeepJsonValid) {
    Fixture f;
    auto compiled = Template::compile(read_fixture("text_message.json"), f.bindings);
    EXPECT_EQ(compiled.make_wamids_unique(), 1u);

    std::set<std::string> ids;
    for (std::uint64_t seq = 0; seq < 100; ++seq) {
        auto context = f.context(seq);
        const auto body = nlohmann::json::parse(compiled.render(context));  // throws if invalid
        const auto& message = body["entry"][0]["changes"][0]["value"]["messages"][0];
        const std::string id = message["id"];
        EXPECT_EQ(id.rfind("wamid.", 0), 0u);
        EXPECT_NE(id, "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=");
        EXPECT_EQ(message["text"]["body"], "Does it come in another color?");
        EXPECT_EQ(body["entry"][0]["id"], "102290129340398");  // not a wamid: untouched
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 100u);
}

TEST(Template, EqualWamidsStayEqualWithinOneBody) {
    Fixture f;
    auto compiled =
        Template::compile(R"({"messages":[{"id":"wamid.A","context":{"id":"wamid.B"}},{"id":"wamid.B"}]})", f.bindings);
    EXPECT_EQ(compiled.make_wamids_unique(), 2u);
    auto context = f.context(3);
    const auto body = nlohmann::json::parse(compiled.render(context));
    const auto& messages = body["messages"];
    EXPECT_NE(messages[0]["id"], messages[1]["id"]);
    EXPECT_EQ(messages[0]["context"]["id"], messages[1]["id"]);
}

}  // namespace
}  // namespace inbox::loadgen
