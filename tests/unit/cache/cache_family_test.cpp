#include "inbox/cache/cache_family.hpp"

#include <gtest/gtest.h>

namespace inbox::cache {
namespace {

TEST(CacheFamily, IsTheSegmentAfterTheVersionPrefix) {
    EXPECT_EQ(cache_family("v1:account:phone:106540352242922"), "account");
    EXPECT_EQ(cache_family("v1:account:42"), "account");
    EXPECT_EQ(cache_family("v1:conversation:0b3f2c1e-7a4d-4c55-9f1e-2f0d6c1b9a10"), "conversation");
    EXPECT_EQ(cache_family("v1:free_window:0b3f2c1e-7a4d-4c55-9f1e-2f0d6c1b9a10"), "free_window");
    EXPECT_EQ(cache_family("v1:media_meta:1234567890"), "media_meta");
    EXPECT_EQ(cache_family("v1:check_media:0b3f2c1e"), "check_media");
}

TEST(CacheFamily, AcceptsAnyVersionNumber) { EXPECT_EQ(cache_family("v12:media_meta:1"), "media_meta"); }

TEST(CacheFamily, IsTheFirstSegmentWithoutAVersionPrefix) {
    EXPECT_EQ(cache_family("account:phone:1"), "account");
    EXPECT_EQ(cache_family("video:1"), "video");  // "v" followed by letters is not a version
    EXPECT_EQ(cache_family("marker"), "marker");
}

TEST(CacheFamily, IsUnknownWhenThereIsNoFamily) {
    EXPECT_EQ(cache_family(""), "unknown");
    EXPECT_EQ(cache_family("v1:"), "unknown");
    EXPECT_EQ(cache_family(":x"), "unknown");
}

}  // namespace
}  // namespace inbox::cache
