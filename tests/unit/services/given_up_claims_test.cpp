#include "inbox/services/given_up_claims.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace inbox::services {
namespace {

using namespace std::chrono_literals;
using Ids = std::vector<std::int64_t>;

TEST(GivenUpClaims, NamesWhatWasGivenUpUntilItIsClaimedAgain) {
    GivenUpClaims claims(60s);
    EXPECT_TRUE(claims.current().empty());
    claims.add({3, 1});
    claims.add({3});
    EXPECT_EQ(claims.current(), (Ids{1, 3}));
    claims.claimed({3, 7});
    EXPECT_EQ(claims.current(), (Ids{1}));
}

TEST(GivenUpClaims, ForgetsAClaimWhoseLeaseHasEnded) {
    GivenUpClaims claims(20ms);
    claims.add({5});
    EXPECT_EQ(claims.current(), (Ids{5}));
    std::this_thread::sleep_for(40ms);
    EXPECT_TRUE(claims.current().empty()) << "any claim takes it once its lease ended";
}

}  // namespace
}  // namespace inbox::services
