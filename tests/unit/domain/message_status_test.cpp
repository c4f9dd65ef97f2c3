#include "inbox/domain/message_status.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <numeric>
#include <vector>

#include "inbox/domain/webhook_payload.hpp"
#include "webhook_fixtures.hpp"

namespace inbox::domain {
namespace {

constexpr std::array kAllStatuses{MessageStatus::received, MessageStatus::pending,   MessageStatus::sent,
                                  MessageStatus::failed,   MessageStatus::delivered, MessageStatus::read};

// What the store keeps for an outbound message: its status and the last error Meta reported for it.
struct StoredStatus {
    MessageStatus status = MessageStatus::pending;
    std::optional<MessageError> error;
};

// The fold a status webhook performs on a stored message: the error of a failed status is always recorded, the
// status moves only when it advances.
void apply(StoredStatus& stored, const StatusUpdate& update) {
    if (update.error) stored.error = update.error;
    if (status_advances(stored.status, update.status)) stored.status = update.status;
}

StatusUpdate status_from_fixture(const std::string& fixture) {
    const NormalizedDelivery delivery = normalize_webhook(testing::load_webhook(fixture));
    if (delivery.account_changes.size() != 1 || delivery.account_changes[0].statuses.size() != 1) {
        throw std::runtime_error(fixture + " does not hold exactly one status");
    }
    return delivery.account_changes[0].statuses[0];
}

std::vector<StatusUpdate> status_fixtures() {
    return {status_from_fixture("status_sent"), status_from_fixture("status_delivered"),
            status_from_fixture("status_read"), status_from_fixture("status_failed")};
}

TEST(MessageStatus, NamesRoundTrip) {
    for (const MessageStatus status : kAllStatuses) {
        EXPECT_EQ(parse_status(to_string(status)), status) << to_string(status);
    }
    EXPECT_EQ(to_string(MessageStatus::delivered), "delivered");
    EXPECT_FALSE(parse_status("READ"));
    EXPECT_FALSE(parse_status("deleted"));
    EXPECT_FALSE(parse_status(""));
}

TEST(MessageStatus, RankFollowsApiOrder) {
    EXPECT_LT(rank(MessageStatus::pending), rank(MessageStatus::sent));
    EXPECT_LT(rank(MessageStatus::sent), rank(MessageStatus::failed));
    EXPECT_LT(rank(MessageStatus::failed), rank(MessageStatus::delivered));
    EXPECT_LT(rank(MessageStatus::delivered), rank(MessageStatus::read));
}

TEST(MessageStatus, PendingAdvancesToSent) {
    EXPECT_TRUE(status_advances(MessageStatus::pending, MessageStatus::sent));
}

TEST(MessageStatus, FailedOverridesSentAndPending) {
    EXPECT_TRUE(status_advances(MessageStatus::sent, MessageStatus::failed));
    EXPECT_TRUE(status_advances(MessageStatus::pending, MessageStatus::failed));
}

TEST(MessageStatus, DeliveredAndReadWinOverFailed) {
    EXPECT_TRUE(status_advances(MessageStatus::failed, MessageStatus::delivered));
    EXPECT_TRUE(status_advances(MessageStatus::failed, MessageStatus::read));
    EXPECT_FALSE(status_advances(MessageStatus::delivered, MessageStatus::failed));
    EXPECT_FALSE(status_advances(MessageStatus::read, MessageStatus::failed));
}

TEST(MessageStatus, StatusNeverMovesBackwards) {
    EXPECT_FALSE(status_advances(MessageStatus::read, MessageStatus::delivered));
    EXPECT_FALSE(status_advances(MessageStatus::delivered, MessageStatus::sent));
    EXPECT_FALSE(status_advances(MessageStatus::sent, MessageStatus::pending));
}

TEST(MessageStatus, EqualStatusIsNotAnAdvance) {
    for (const MessageStatus status : kAllStatuses) EXPECT_FALSE(status_advances(status, status)) << to_string(status);
}

TEST(MessageStatus, ReceivedNeverChangesAndIsNeverTheTarget) {
    for (const MessageStatus status : kAllStatuses) {
        EXPECT_FALSE(status_advances(MessageStatus::received, status)) << to_string(status);
        EXPECT_FALSE(status_advances(status, MessageStatus::received)) << to_string(status);
    }
}

TEST(MessageStatus, AllPermutationsOfTheFourStatusFixturesEndInReadWithError) {
    const std::vector<StatusUpdate> updates = status_fixtures();
    std::vector<std::size_t> order(updates.size());
    std::iota(order.begin(), order.end(), 0);
    int permutations = 0;
    do {
        StoredStatus stored;
        for (const std::size_t index : order) apply(stored, updates[index]);
        EXPECT_EQ(stored.status, MessageStatus::read) << "permutation " << permutations;
        ASSERT_TRUE(stored.error) << "permutation " << permutations;
        EXPECT_EQ(stored.error->code, 131047);
        ++permutations;
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(permutations, 24);
}

TEST(MessageStatus, AnyOrderOfAnySubsetEndsInItsHighestStatusAndKeepsFailedError) {
    const std::vector<StatusUpdate> updates = status_fixtures();
    for (unsigned subset = 1; subset < (1u << updates.size()); ++subset) {
        std::vector<std::size_t> order;
        for (std::size_t i = 0; i < updates.size(); ++i) {
            if (subset & (1u << i)) order.push_back(i);
        }
        const auto highest = std::max_element(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return rank(updates[a].status) < rank(updates[b].status);
        });
        const MessageStatus expected = updates[*highest].status;
        const bool failed_seen = std::any_of(order.begin(), order.end(),
                                             [&](std::size_t i) { return updates[i].status == MessageStatus::failed; });
        do {
            StoredStatus stored;
            for (const std::size_t index : order) apply(stored, updates[index]);
            EXPECT_EQ(stored.status, expected) << "subset " << subset;
            EXPECT_EQ(stored.error.has_value(), failed_seen) << "subset " << subset;
            if (stored.error) {
                EXPECT_EQ(stored.error->code, 131047);
            }
        } while (std::next_permutation(order.begin(), order.end()));
    }
}

}  // namespace
}  // namespace inbox::domain
