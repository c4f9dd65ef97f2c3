// The circuit breakers in front of the real calls: an open breaker answers at once, without reaching Graph.
#include "graph_fixture.hpp"

namespace inbox::graph::testing {
namespace {

using namespace std::chrono_literals;

class BreakerTest : public GraphTest {};

TEST_F(BreakerTest, FiveConsecutive500sOpenItAndTheSixthCallNeverReachesGraph) {
    control().fail("messages", {{"status", 500}, {"code", 131000}});
    for (int i = 0; i < 5; ++i) {
        const auto result = send_text();
        ASSERT_TRUE(result.unavailable()) << i;
        EXPECT_EQ(result.unavailable()->graph_code, 131000);
    }
    const auto rejected = send_text();
    ASSERT_TRUE(rejected.unavailable());
    EXPECT_EQ(rejected.unavailable()->reason, "circuit_open");
    EXPECT_GE(rejected.unavailable()->retry_after_seconds, 29);
    EXPECT_LE(rejected.unavailable()->retry_after_seconds, 30);
    EXPECT_EQ(control().requests("messages"), 5u);
    EXPECT_EQ(metric("inbox_graph_requests_total", {{"endpoint", "send_text"}, {"outcome", "rejected"}}), 1u);
    EXPECT_EQ(metrics_->gauge("inbox_graph_breaker_state", "", {{"family", "messages"}}).value(), 2.0);
}

TEST_F(BreakerTest, FamiliesHaveSeparateBreakers) {
    control().fail("messages", {{"status", 503}, {"code", 2}});
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(send_text().unavailable());
    ASSERT_EQ(graph().breaker(GraphFamily::messages).state(), BreakerState::open);
    EXPECT_TRUE(run(graph().get_media_meta("1", kToken)));
    EXPECT_TRUE(run(graph().send_template(kPhoneNumberId, kToken, {"1"}, body_only_template("t", "en", {}))).unavailable());
}

TEST_F(BreakerTest, AfterTheOpenPeriodOneProbeSucceedsAndClosesIt) {
    control().fail("messages", {{"status", 500}, {"code", 1}, {"count", 5}});
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(send_text().unavailable());
    ASSERT_TRUE(send_text().unavailable());
    EXPECT_EQ(control().requests("messages"), 5u);

    advance_breaker_clock(30s);
    EXPECT_TRUE(send_text());
    EXPECT_EQ(graph().breaker(GraphFamily::messages).state(), BreakerState::closed);
    EXPECT_TRUE(send_text());
    EXPECT_EQ(control().requests("messages"), 7u);
}

TEST_F(BreakerTest, AFailedProbeReopensIt) {
    control().fail("messages", {{"mode", "reset"}});
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(send_text().unavailable());
    advance_breaker_clock(30s);
    EXPECT_EQ(send_text().unavailable()->reason, "connection_reset");
    EXPECT_EQ(graph().breaker(GraphFamily::messages).state(), BreakerState::open);
    EXPECT_EQ(send_text().unavailable()->reason, "circuit_open");
}

TEST_F(BreakerTest, TimeoutsCountAsFailures) {
    auto options = default_graph_options();
    options.request_timeout = 100ms;
    make_clients(default_http_options(), options);
    control().fail("templates", {{"mode", "hang"}});
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(run(graph().create_template("W", kToken, "n", "en", "UTILITY", "b")).unavailable()->reason,
                  "timeout");
    }
    EXPECT_EQ(graph().breaker(GraphFamily::templates).state(), BreakerState::open);
}

}  // namespace
}  // namespace inbox::graph::testing
