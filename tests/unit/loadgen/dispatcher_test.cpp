#include "loadgen/dispatcher.hpp"

#include <gtest/gtest.h>

namespace inbox::loadgen {
namespace {

class RecordingWaiter final : public Waiter {
public:
    void deliver(std::optional<PendingRequest> request) override { delivered.push_back(std::move(request)); }
    std::vector<std::optional<PendingRequest>> delivered;
};

PendingRequest request(std::size_t endpoint) { return {endpoint, TimePoint{}, "GET / HTTP/1.1\r\n\r\n"}; }

TEST(Dispatcher, HandsADueRequestToAnIdleConnection) {
    Dispatcher dispatcher(10);
    RecordingWaiter waiter;
    EXPECT_EQ(dispatcher.take_or_wait(waiter).state, Dispatcher::TakeState::wait);
    EXPECT_EQ(dispatcher.offer(request(1)), Dispatcher::Offer::handed_off);
    ASSERT_EQ(waiter.delivered.size(), 1u);
    EXPECT_EQ(waiter.delivered[0]->endpoint, 1u);
    EXPECT_EQ(dispatcher.queued(), 0u);
}

TEST(Dispatcher, QueuesWhileEveryConnectionIsBusyThenServesInOrder) {
    Dispatcher dispatcher(10);
    EXPECT_EQ(dispatcher.offer(request(1)), Dispatcher::Offer::queued);
    EXPECT_EQ(dispatcher.offer(request(2)), Dispatcher::Offer::queued);
    RecordingWaiter waiter;
    auto first = dispatcher.take_or_wait(waiter);
    ASSERT_EQ(first.state, Dispatcher::TakeState::got);
    EXPECT_EQ(first.request->endpoint, 1u);
    EXPECT_EQ(dispatcher.take_or_wait(waiter).request->endpoint, 2u);
    EXPECT_EQ(dispatcher.max_queued(), 2u);
}

TEST(Dispatcher, DropsBeyondTheQueueBound) {
    Dispatcher dispatcher(2);
    EXPECT_EQ(dispatcher.offer(request(0)), Dispatcher::Offer::queued);
    EXPECT_EQ(dispatcher.offer(request(0)), Dispatcher::Offer::queued);
    EXPECT_EQ(dispatcher.offer(request(0)), Dispatcher::Offer::dropped);
    EXPECT_EQ(dispatcher.queued(), 2u);
}

TEST(Dispatcher, CloseReleasesIdleConnectionsButQueuedWorkIsStillTaken) {
    Dispatcher dispatcher(10);
    RecordingWaiter idle;
    dispatcher.take_or_wait(idle);
    dispatcher.offer(request(3));  // handed to idle
    dispatcher.offer(request(4));  // queued
    dispatcher.close();
    RecordingWaiter busy;
    EXPECT_EQ(dispatcher.take_or_wait(busy).request->endpoint, 4u);
    EXPECT_EQ(dispatcher.take_or_wait(busy).state, Dispatcher::TakeState::closed);
    EXPECT_EQ(dispatcher.offer(request(5)), Dispatcher::Offer::dropped);
}

TEST(Dispatcher, CloseWakesWaitersWithNothing) {
    Dispatcher dispatcher(10);
    RecordingWaiter waiter;
    dispatcher.take_or_wait(waiter);
    dispatcher.close();
    ASSERT_EQ(waiter.delivered.size(), 1u);
    EXPECT_FALSE(waiter.delivered[0]);
}

TEST(Dispatcher, AbandonReturnsWhatWasNeverSent) {
    Dispatcher dispatcher(10);
    dispatcher.offer(request(1));
    dispatcher.offer(request(2));
    EXPECT_EQ(dispatcher.abandon().size(), 2u);
    EXPECT_EQ(dispatcher.queued(), 0u);
}

}  // namespace
}  // namespace inbox::loadgen
