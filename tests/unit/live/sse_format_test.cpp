#include "inbox/http/sse_format.hpp"

#include <gtest/gtest.h>

namespace inbox::http {
namespace {

TEST(SseFormatTest, AnEventIsItsTypeAndOneLineOfCompactJson) {
    EXPECT_EQ(sse_event("message.created", {{"id", "m1"}, {"text", "two\nlines"}}),
              "event: message.created\ndata: {\"id\":\"m1\",\"text\":\"two\\nlines\"}\n\n");
}

TEST(SseFormatTest, InvalidUtf8IsReplacedInsteadOfThrowing) {
    auto event = sse_event("x", {{"text", std::string("bad \xff byte")}});
    EXPECT_NE(event.find("bad \xef\xbf\xbd byte"), std::string::npos);
}

TEST(SseFormatTest, ACommentStartsWithAColon) { EXPECT_EQ(sse_comment("ping"), ": ping\n\n"); }

}  // namespace
}  // namespace inbox::http
