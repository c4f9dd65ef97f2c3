#include "inbox/http/sse_format.hpp"

#include <gtest/gtest.h>

namespace inbox::http {
namespace {

TEST(SseFormatTest, AnEventIsItsTypeAndOneLineOfCompactJson) {
    EXPECT_EQ(sse_event("message.created", R"({"id":"m1","text":"two\nlines"})"),
              "event: message.created\ndata: {\"id\":\"m1\",\"text\":\"two\\nlines\"}\n\n");
}

TEST(SseFormatTest, ACommentStartsWithAColon) { EXPECT_EQ(sse_comment("ping"), ": ping\n\n"); }

}  // namespace
}  // namespace inbox::http
