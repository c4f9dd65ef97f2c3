#include <gtest/gtest.h>

#include "inbox/jobs/job_runner.hpp"

namespace inbox::jobs {
namespace {

TEST(BackoffAfter, DoublesFromOneSecondUpToFiveMinutes) {
    EXPECT_EQ(backoff_after(0), std::chrono::seconds(1));
    EXPECT_EQ(backoff_after(1), std::chrono::seconds(2));
    EXPECT_EQ(backoff_after(3), std::chrono::seconds(8));
    EXPECT_EQ(backoff_after(8), std::chrono::seconds(256));
    EXPECT_EQ(backoff_after(9), std::chrono::seconds(300));
    EXPECT_EQ(backoff_after(1000), std::chrono::seconds(300));
}

}  // namespace
}  // namespace inbox::jobs
