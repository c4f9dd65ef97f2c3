// Failure, latency and connection-delay knobs of fake-graph.
#include "fake_graph_fixture.hpp"

namespace fake_graph::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Faults = FakeGraphTest;

TEST_F(Faults, ErrorKnobAnswersTheStatusAndAGraphErrorBody) {
    set_failure("messages", {{"status", 400}, {"code", 131047}, {"details", "More than 24 hours have passed"}});
    const auto result = send_text("16505551234");
    EXPECT_EQ(result.status, 400);
    const auto error = result.json()["error"];
    EXPECT_EQ(error["code"], 131047);
    EXPECT_EQ(error["type"], "OAuthException");
    EXPECT_EQ(error["message"], "(#131047) Re-engagement message");
    EXPECT_EQ(error["error_data"], json({{"messaging_product", "whatsapp"}, {"details", "More than 24 hours have passed"}}));
    EXPECT_FALSE(error.contains("error_subcode"));
    EXPECT_FALSE(error["fbtrace_id"].get<std::string>().empty());
}

TEST_F(Faults, StatusDefaultsFromTheCodeAndSubcodeIsPassedThrough) {
    set_failure("templates", {{"code", 100}, {"subcode", 33}});
    const auto result = client().get("/v21.0/555/message_templates", kToken);
    EXPECT_EQ(result.status, 400);
    EXPECT_EQ(result.json()["error"]["error_subcode"], 33);
}

TEST_F(Faults, NextNCallsFailThenCallsSucceed) {
    set_failure("messages", {{"status", 429}, {"code", 130429}, {"count", 2}});
    EXPECT_EQ(send_text("1").json()["error"]["code"], 130429);
    EXPECT_EQ(send_text("1").status, 429);
    EXPECT_EQ(send_text("1").status, 200);
    EXPECT_EQ(send_text("1").status, 200);
    EXPECT_EQ(control_get("stats")["families"]["messages"]["failures_injected"], 2);
}

TEST_F(Faults, RateFailsAboutThatShareOfCalls) {
    set_failure("messages", {{"code", 131000}, {"rate", 0.5}});
    int failed = 0;
    for (int i = 0; i < 200; ++i) failed += send_text("1").status == 500 ? 1 : 0;
    EXPECT_GT(failed, 50);
    EXPECT_LT(failed, 150);
}

TEST_F(Faults, ResetKnobClosesTheConnectionWithoutAnAnswer) {
    set_failure("messages", {{"mode", "reset"}, {"count", 1}});
    const auto reset = send_text("1");
    EXPECT_EQ(reset.status, 0);
    EXPECT_FALSE(reset.error.empty());
    EXPECT_FALSE(reset.timed_out);
    EXPECT_EQ(send_text("1").status, 200);  // on a new connection
}

TEST_F(Faults, HangKnobOutlastsTheClientTimeout) {
    set_failure("media_meta", {{"mode", "hang"}, {"count", 1}});
    const auto hung = client().request("GET", "/v21.0/42", "", kToken, 500ms);
    EXPECT_TRUE(hung.timed_out) << hung.error << " status " << hung.status;
    EXPECT_GE(hung.elapsed, 500ms);
    EXPECT_EQ(client().get("/v21.0/42", kToken).status, 200);
}

TEST_F(Faults, LatencyKnobDelaysTheAnswerByAtLeastTheDelay) {
    control("knobs", {{"families", {{"messages", {{"latency_ms", 150}, {"jitter_ms", 20}}}}}});
    const auto slow = send_text("1");
    EXPECT_EQ(slow.status, 200);
    EXPECT_GE(slow.elapsed, 150ms);
    EXPECT_LT(client().get("/contacts-lookup/1", kToken).elapsed, 150ms);  // other families keep their pace
}

TEST_F(Faults, ConnectionDelayIsPaidOncePerConnection) {
    control("knobs", {{"connection_delay_ms", 400}});
    auto fresh = new_client();
    const auto first = send_text(*fresh, "1");
    const auto second = send_text(*fresh, "1");
    EXPECT_GE(first.elapsed, 400ms);
    EXPECT_LT(second.elapsed, 300ms);
    EXPECT_EQ(fresh->connections_opened(), 1u);

    fresh->disconnect();
    EXPECT_GE(send_text(*fresh, "1").elapsed, 400ms);
}

}  // namespace
}  // namespace fake_graph::testing
