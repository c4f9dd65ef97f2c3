#include "inbox/services/live_subscription.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>

namespace inbox::services {
namespace {

LiveEvent event(std::string account, int n) {
    return {std::move(account), "message.created", nlohmann::json{{"n", n}}.dump()};
}

int n_of(const LiveEvent& event) { return nlohmann::json::parse(event.data).at("n").get<int>(); }

TEST(LiveSubscriptionTest, QueuesOnlyItsAccountsEventsInOrder) {
    EventBus bus;
    int wakes = 0;
    LiveSubscription subscription(bus, "a", 10, [&](bool overflowed) {
        EXPECT_FALSE(overflowed);
        ++wakes;
    });
    bus.publish(event("a", 1));
    bus.publish(event("b", 2));
    bus.publish(event("a", 3));
    auto events = subscription.take();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(n_of(events[0]), 1);
    EXPECT_EQ(n_of(events[1]), 3);
    EXPECT_EQ(wakes, 2);
    EXPECT_TRUE(subscription.take().empty());
}

TEST(LiveSubscriptionTest, AClientTooFarBehindOverflowsOnceAndGetsNothingMore) {
    EventBus bus;
    int overflows = 0;
    LiveSubscription subscription(bus, "a", 3, [&](bool overflowed) { overflows += overflowed; });
    for (int i = 0; i < 10; ++i) bus.publish(event("a", i));
    EXPECT_TRUE(subscription.overflowed());
    EXPECT_EQ(overflows, 1);
    EXPECT_TRUE(subscription.take().empty());  // the backlog is freed, not kept
}

TEST(LiveSubscriptionTest, AnOverflowingClientDoesNotAffectAnother) {
    EventBus bus;
    LiveSubscription slow(bus, "a", 2, [](bool) {});
    LiveSubscription fast(bus, "a", 100, [](bool) {});
    for (int i = 0; i < 5; ++i) bus.publish(event("a", i));
    EXPECT_TRUE(slow.overflowed());
    EXPECT_FALSE(fast.overflowed());
    EXPECT_EQ(fast.take().size(), 5u);
}

TEST(LiveSubscriptionTest, UnsubscribesWhenDestroyed) {
    EventBus bus;
    std::atomic<int> calls{0};
    {
        LiveSubscription subscription(bus, "a", 10, [&](bool) { ++calls; });
        bus.publish(event("a", 1));
    }
    bus.publish(event("a", 2));
    EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace inbox::services
