#include "inbox/http/request_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace inbox::http {
namespace {

bool looks_generated(const std::string& id) {
    return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(RequestId, SaneValuesAreAccepted) {
    EXPECT_TRUE(is_acceptable_request_id("a"));
    EXPECT_TRUE(is_acceptable_request_id("3f6c1a2b-AAAA.zz_09"));
    EXPECT_TRUE(is_acceptable_request_id(std::string(128, 'x')));
}

TEST(RequestId, EmptyOrTooLongIsRejected) {
    EXPECT_FALSE(is_acceptable_request_id(""));
    EXPECT_FALSE(is_acceptable_request_id(std::string(129, 'x')));
}

TEST(RequestId, CharactersOutsideTheSafeSetAreRejected) {
    for (const char* value : {"a b", "a/b", "a;b", "a\"b", "a\rb", "a\nb", "a:b", "a%20b", "<x>", "caf\xC3\xA9", "a\tb"}) {
        EXPECT_FALSE(is_acceptable_request_id(value)) << value;
    }
    EXPECT_FALSE(is_acceptable_request_id(std::string("a\0b", 3)));
}

TEST(RequestId, SaneIncomingValueIsKept) {
    EXPECT_EQ(accept_or_generate_request_id("client-id.1_2"), "client-id.1_2");
    EXPECT_EQ(accept_or_generate_request_id(std::string(128, 'Z')), std::string(128, 'Z'));
}

TEST(RequestId, InsaneIncomingValueIsReplacedByGeneratedHexId) {
    for (const std::string& value : {std::string(), std::string(129, 'a'), std::string("bad id"),
                                     std::string("x\r\nSet-Cookie: a=b")}) {
        auto id = accept_or_generate_request_id(value);
        EXPECT_TRUE(looks_generated(id)) << id;
        EXPECT_TRUE(is_acceptable_request_id(id));
    }
}

TEST(RequestId, GeneratedIdsAreUnique) {
    std::set<std::string> ids;
    for (int i = 0; i < 1000; ++i) ids.insert(accept_or_generate_request_id(""));
    EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace inbox::http
