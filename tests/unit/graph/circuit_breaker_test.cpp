#include "inbox/graph/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include "inbox/observability/metrics.hpp"

namespace inbox::graph {
namespace {

using namespace std::chrono_literals;

class CircuitBreakerTest : public ::testing::Test {
protected:
    std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
    observability::MetricsRegistry metrics_;
    CircuitBreaker breaker_{"messages", CircuitBreakerOptions{}, [this] { return now_; }, &metrics_};

    void succeed(int n) {
        for (int i = 0; i < n; ++i) {
            ASSERT_TRUE(breaker_.allow());
            breaker_.record_success();
        }
    }
    void fail(int n) {
        for (int i = 0; i < n; ++i) {
            ASSERT_TRUE(breaker_.allow());
            breaker_.record_failure();
        }
    }
    void open_it() {
        fail(5);
        ASSERT_EQ(breaker_.state(), BreakerState::open);
    }
    double gauge() { return metrics_.gauge("inbox_graph_breaker_state", "", {{"family", "messages"}}).value(); }
    std::uint64_t transitions_to(const char* state) {
        return metrics_.counter("inbox_graph_breaker_transitions_total", "", {{"family", "messages"}, {"to", state}})
            .value();
    }
};

TEST_F(CircuitBreakerTest, StartsClosedAndLetsCallsThrough) {
    EXPECT_EQ(breaker_.state(), BreakerState::closed);
    succeed(100);
    EXPECT_EQ(breaker_.state(), BreakerState::closed);
    EXPECT_EQ(gauge(), 0);
}

TEST_F(CircuitBreakerTest, FourConsecutiveFailuresKeepItClosed) {
    fail(4);
    EXPECT_EQ(breaker_.state(), BreakerState::closed);
}

TEST_F(CircuitBreakerTest, FiveConsecutiveFailuresOpenIt) {
    succeed(3);
    fail(5);
    EXPECT_EQ(breaker_.state(), BreakerState::open);
    EXPECT_FALSE(breaker_.allow());
    EXPECT_EQ(gauge(), 2);
    EXPECT_EQ(transitions_to("open"), 1u);
}

TEST_F(CircuitBreakerTest, ASuccessResetsTheConsecutiveCount) {
    fail(4);
    succeed(1);
    fail(4);
    EXPECT_EQ(breaker_.state(), BreakerState::closed);
}

TEST_F(CircuitBreakerTest, HalfTheWindowFailingOpensIt) {
    // Alternating never makes 5 in a row; after 10 calls, 5 failures are 50 %.
    for (int i = 0; i < 4; ++i) {
        succeed(1);
        fail(1);
    }
    succeed(1);
    EXPECT_EQ(breaker_.state(), BreakerState::closed) << "9 calls are below the minimum of 10";
    fail(1);
    EXPECT_EQ(breaker_.state(), BreakerState::open);
}

TEST_F(CircuitBreakerTest, RatioBelowHalfOverTheWindowStaysClosed) {
    succeed(11);
    for (int i = 0; i < 3; ++i) {
        fail(3);
        succeed(1);
    }
    // The last 20 calls hold 9 failures (45 %), never more than 3 in a row.
    EXPECT_EQ(breaker_.state(), BreakerState::closed);
}

TEST_F(CircuitBreakerTest, OldOutcomesLeaveTheWindow) {
    fail(4);
    succeed(16);  // window: 4 failures of 20
    fail(4);      // the first 4 failures left; 4 of 20
    succeed(1);
    fail(4);
    EXPECT_EQ(breaker_.state(), BreakerState::closed);
    // Now 8 of the last 20 failed; two more (not in a row with 5) reach 10 of 20.
    succeed(1);
    fail(2);
    EXPECT_EQ(breaker_.state(), BreakerState::open);
}

TEST_F(CircuitBreakerTest, StaysOpenForTheOpenDuration) {
    open_it();
    now_ += 29'999ms;
    EXPECT_FALSE(breaker_.allow());
    EXPECT_EQ(breaker_.state(), BreakerState::open);
    EXPECT_EQ(breaker_.time_until_probe(), 1ms);
}

TEST_F(CircuitBreakerTest, AfterTheOpenDurationExactlyOneProbeGoesThrough) {
    open_it();
    now_ += 30s;
    EXPECT_TRUE(breaker_.allow());
    EXPECT_EQ(breaker_.state(), BreakerState::half_open);
    EXPECT_EQ(gauge(), 1);
    EXPECT_FALSE(breaker_.allow());
    EXPECT_FALSE(breaker_.allow());
}

TEST_F(CircuitBreakerTest, AProbeThatNeverReportsIsReplacedAfterAnotherOpenDuration) {
    open_it();
    now_ += 30s;
    ASSERT_TRUE(breaker_.allow());  // its caller is cancelled and never records an outcome
    now_ += 29s;
    EXPECT_FALSE(breaker_.allow());
    now_ += 1s;
    EXPECT_TRUE(breaker_.allow());
    EXPECT_FALSE(breaker_.allow());
    breaker_.record_success();
    EXPECT_EQ(breaker_.state(), BreakerState::closed);
}

TEST_F(CircuitBreakerTest, ProbeSuccessClosesIt) {
    open_it();
    now_ += 30s;
    ASSERT_TRUE(breaker_.allow());
    breaker_.record_success();
    EXPECT_EQ(breaker_.state(), BreakerState::closed);
    EXPECT_EQ(gauge(), 0);
    EXPECT_EQ(transitions_to("closed"), 1u);
    // The history was cleared: four new failures are not enough.
    fail(4);
    EXPECT_EQ(breaker_.state(), BreakerState::closed);
}

TEST_F(CircuitBreakerTest, ProbeFailureReopensItForAnotherPeriod) {
    open_it();
    now_ += 30s;
    ASSERT_TRUE(breaker_.allow());
    breaker_.record_failure();
    EXPECT_EQ(breaker_.state(), BreakerState::open);
    EXPECT_EQ(transitions_to("open"), 2u);
    now_ += 29s;
    EXPECT_FALSE(breaker_.allow());
    now_ += 1s;
    EXPECT_TRUE(breaker_.allow());
}

TEST_F(CircuitBreakerTest, OutcomesOfCallsStartedBeforeItOpenedChangeNothing) {
    ASSERT_TRUE(breaker_.allow());  // a slow call, still in flight
    open_it();
    breaker_.record_success();
    EXPECT_EQ(breaker_.state(), BreakerState::open);
}

TEST_F(CircuitBreakerTest, CustomOptionsAreHonoured) {
    CircuitBreaker small(
        "media",
        {.window = 4, .minimum_calls = 2, .failure_ratio = 0.5, .consecutive_failures = 3, .open_duration = 1s},
        [this] { return now_; });
    ASSERT_TRUE(small.allow());
    small.record_success();
    ASSERT_TRUE(small.allow());
    small.record_failure();
    EXPECT_EQ(small.state(), BreakerState::open);
    now_ += 1s;
    EXPECT_TRUE(small.allow());
}

TEST_F(CircuitBreakerTest, RejectsOptionsThatCanNeverTrip) {
    EXPECT_THROW(CircuitBreaker("x", {.window = 5, .minimum_calls = 10}), std::invalid_argument);
}

}  // namespace
}  // namespace inbox::graph
