// fake-graph's pure pieces, without a server: knobs, failure draws, media bytes, paging, CLI.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "fake_graph/cli.hpp"
#include "fake_graph/graph_errors.hpp"
#include "fake_graph/media_bytes.hpp"
#include "fake_graph/state.hpp"
#include "fake_graph/template_store.hpp"

namespace fake_graph {
namespace {

using nlohmann::json;

TEST(FakeGraphKnobs, PatchKeepsUnmentionedKnobsAndRejectsUnknownOnes) {
    Knobs knobs;
    apply_knobs_patch(knobs, {{"families", {{"*", {{"latency_ms", 10}}}, {"messages", {{"jitter_ms", 5}}}}}});
    EXPECT_EQ(knobs.family(Family::contacts).latency_ms, 10);
    EXPECT_EQ(knobs.family(Family::messages).latency_ms, 10);
    EXPECT_EQ(knobs.family(Family::messages).jitter_ms, 5);
    EXPECT_THROW(apply_knobs_patch(knobs, {{"families", {{"mesages", json::object()}}}}), std::invalid_argument);
    EXPECT_THROW(apply_knobs_patch(knobs, {{"connection_delay_ms", -1}}), std::invalid_argument);
    EXPECT_THROW(apply_knobs_patch(knobs, {{"families", {{"messages", {{"failure", {{"mode", "explode"}}}}}}}}),
                 std::invalid_argument);
}

TEST(FakeGraphKnobs, MediaOverrideFallsBackToTheDefaults) {
    Knobs knobs;
    apply_knobs_patch(knobs, {{"media_defaults", {{"mime_type", "video/mp4"}}}, {"media", {{"m1", {{"size", 7}}}}}});
    EXPECT_EQ(knobs.media_spec("m1").size, 7u);
    EXPECT_EQ(knobs.media_spec("m1").mime_type, "video/mp4");
    EXPECT_EQ(knobs.media_spec("other").size, 64u * 1024);
}

TEST(FakeGraphState, CountedFailureIsSpentAfterNCalls) {
    State state(json{{"families", {{"messages", {{"failure", {{"code", 131047}, {"count", 2}}}}}}}});
    EXPECT_TRUE(state.on_request(Family::messages).failure);
    EXPECT_TRUE(state.on_request(Family::messages).failure);
    EXPECT_FALSE(state.on_request(Family::messages).failure);
    EXPECT_FALSE(state.on_request(Family::media_meta).failure);
}

TEST(FakeGraphState, RecordingDropsTheOldestPastTheLimit) {
    State state(json{{"record_limit", 2}});
    for (const std::string body : {"a", "b", "c"}) state.record(Family::messages, {"POST", "/x", "", body, 0});
    const auto recorded = state.recorded(Family::messages);
    ASSERT_EQ(recorded["requests"].size(), 2u);
    EXPECT_EQ(recorded["requests"][0]["body"], "b");
    EXPECT_EQ(recorded["dropped"], 1);
}

TEST(FakeGraphMediaBytes, AnyRangeEqualsTheSameSliceOfTheWhole) {
    const MediaBytes bytes("media-1");
    std::vector<char> whole(1000), part(37);
    bytes.fill(0, whole);
    bytes.fill(501, part);
    EXPECT_TRUE(std::equal(part.begin(), part.end(), whole.begin() + 501));
    std::vector<char> other(1000);
    MediaBytes("media-2").fill(0, other);
    EXPECT_NE(whole, other);
    EXPECT_EQ(to_hex(media_sha256("", 0)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(FakeGraphTemplates, PagesFollowCursorsAndReportMore) {
    TemplateStore store;
    for (int i = 0; i < 5; ++i) store.add(template_from_json({{"name", "t" + std::to_string(i)}, {"waba_id", "W"}}));
    const auto first = store.page("W", 2, "");
    EXPECT_EQ(first.items.size(), 2u);
    EXPECT_TRUE(first.has_more);
    const auto last = store.page("W", 10, store.page("W", 4, "").after);
    ASSERT_EQ(last.items.size(), 1u);
    EXPECT_EQ(last.items[0].name, "t4");
    EXPECT_FALSE(last.has_more);
    EXPECT_TRUE(store.page("V", 10, "").items.empty());
    EXPECT_THROW(store.page("W", 2, "bogus"), std::invalid_argument);
}

TEST(FakeGraphErrors, BodyHasMetasShape) {
    auto error = graph_error_for(131047);
    error.details = "window closed";
    const auto body = json::parse(error_body(error))["error"];
    EXPECT_EQ(error.http_status, 400);
    EXPECT_EQ(body["code"], 131047);
    EXPECT_EQ(body["type"], "OAuthException");
    EXPECT_EQ(body["error_data"]["messaging_product"], "whatsapp");
    EXPECT_EQ(body["error_data"]["details"], "window closed");
    EXPECT_TRUE(body.contains("fbtrace_id"));
    EXPECT_EQ(json::parse(error_body(object_does_not_exist("9")))["error"]["error_subcode"], 33);
}

TEST(FakeGraphCli, FlagsOverrideTheConfigPerFamily) {
    const auto options = parse_command_line({"--port", "0", "--latency-ms", "5", "--threads", "3", "--connection-delay-ms", "7"});
    ASSERT_TRUE(options);
    EXPECT_EQ(options->threads, 3);
    State state(options->config);
    EXPECT_EQ(state.knobs().family(Family::templates).latency_ms, 5);
    EXPECT_EQ(state.knobs().connection_delay_ms, 7);
    EXPECT_FALSE(parse_command_line({"--help"}));
    EXPECT_THROW(parse_command_line({"--port", "70000"}), std::invalid_argument);
    EXPECT_THROW(parse_command_line({"--bogus", "1"}), std::invalid_argument);
}

}  // namespace
}  // namespace fake_graph
