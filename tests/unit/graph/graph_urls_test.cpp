#include "inbox/graph/graph_urls.hpp"

#include <gtest/gtest.h>

namespace inbox::graph {
namespace {

TEST(GraphUrls, MessagesUrl) {
    EXPECT_EQ(messages_url("https://graph.facebook.com", "v21.0", "106540352242922"),
              "https://graph.facebook.com/v21.0/106540352242922/messages");
}

TEST(GraphUrls, KeepsABasePathPrefixAndIgnoresTrailingSlashes) {
    EXPECT_EQ(messages_url("http://127.0.0.1:8080/graph/", "v21.0", "1"),
              "http://127.0.0.1:8080/graph/v21.0/1/messages");
    EXPECT_EQ(media_meta_url("https://graph.facebook.com//", "v19.0", "42"), "https://graph.facebook.com/v19.0/42");
}

TEST(GraphUrls, EncodesIdsSoTheyCannotChangeThePath) {
    EXPECT_EQ(media_meta_url("https://g.example", "v21.0", "../me?x=1#f"), "https://g.example/v21.0/..%2Fme%3Fx=1%23f");
    EXPECT_EQ(media_meta_url("https://g.example", "v21.0", "a b"), "https://g.example/v21.0/a%20b");
}

TEST(GraphUrls, TemplatesUrlWithCursorAndLimit) {
    EXPECT_EQ(templates_url("https://g.example", "v21.0", "102290129340398"),
              "https://g.example/v21.0/102290129340398/message_templates");
    EXPECT_EQ(templates_url("https://g.example", "v21.0", "W", "QVFI&x=y", 100),
              "https://g.example/v21.0/W/message_templates?limit=100&after=QVFI%26x=y");
}

TEST(GraphUrls, RejectsBadBasesAndEmptyIds) {
    EXPECT_THROW(messages_url("graph.facebook.com", "v21.0", "1"), std::invalid_argument);
    EXPECT_THROW(messages_url("ftp://graph.facebook.com", "v21.0", "1"), std::invalid_argument);
    EXPECT_THROW(messages_url("https://graph.facebook.com", "v21.0", ""), std::invalid_argument);
}

TEST(GraphUrls, ContactLookupFillsThePlaceholderOrAppends) {
    EXPECT_EQ(contact_lookup_url("https://lookup.example/v1/{wa_id}/profile", "16505551234"),
              "https://lookup.example/v1/16505551234/profile");
    EXPECT_EQ(contact_lookup_url("http://127.0.0.1:9/contacts-lookup", "16505551234"),
              "http://127.0.0.1:9/contacts-lookup/16505551234");
    EXPECT_EQ(contact_lookup_url("https://lookup.example/{wa_id}", "1/2"), "https://lookup.example/1%2F2");
    EXPECT_THROW(contact_lookup_url("https://lookup.example/{wa_id}", ""), std::invalid_argument);
}

TEST(HostAllowed, MatchesExactHostsCaseInsensitively) {
    const std::vector<std::string> hosts{"lookaside.fbsbx.com", "127.0.0.1"};
    EXPECT_TRUE(host_allowed("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1", hosts));
    EXPECT_TRUE(host_allowed("https://LOOKASIDE.fbsbx.com/x", hosts));
    EXPECT_TRUE(host_allowed("http://127.0.0.1:4321/media-download/1?token=t", hosts));
    EXPECT_FALSE(host_allowed("https://evil.example/x", hosts));
    EXPECT_FALSE(host_allowed("https://lookaside.fbsbx.com.evil.example/x", hosts));
    EXPECT_FALSE(host_allowed("https://evil.example/?u=https://lookaside.fbsbx.com/", hosts));
    EXPECT_FALSE(host_allowed("https://lookaside.fbsbx.com@evil.example/x", hosts));
}

TEST(HostAllowed, WildcardEntriesMatchSubdomainsOnly) {
    const std::vector<std::string> hosts{"*.fbsbx.com"};
    EXPECT_TRUE(host_allowed("https://lookaside.fbsbx.com/x", hosts));
    EXPECT_FALSE(host_allowed("https://fbsbx.com/x", hosts));
    EXPECT_FALSE(host_allowed("https://evilfbsbx.com/x", hosts));
}

TEST(HostAllowed, RefusesNonHttpAndMalformedUrls) {
    const std::vector<std::string> hosts{"lookaside.fbsbx.com"};
    EXPECT_FALSE(host_allowed("file://lookaside.fbsbx.com/etc/passwd", hosts));
    EXPECT_FALSE(host_allowed("lookaside.fbsbx.com/x", hosts));
    EXPECT_FALSE(host_allowed("", hosts));
    EXPECT_FALSE(host_allowed("https://lookaside.fbsbx.com/x", {}));
}

}  // namespace
}  // namespace inbox::graph
