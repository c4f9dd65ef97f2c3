// parse_http_url is private to the module (src/graph/connection.hpp): it decides where a request connects.
#include <gtest/gtest.h>

#include "connection.hpp"

namespace inbox::graph {
namespace {

TEST(ParseHttpUrl, DefaultPortsAndTarget) {
    const auto https = parse_http_url("https://graph.facebook.com/v21.0/1/messages");
    EXPECT_TRUE(https.origin.tls);
    EXPECT_EQ(https.origin.host, "graph.facebook.com");
    EXPECT_EQ(https.origin.port, 443);
    EXPECT_EQ(https.target, "/v21.0/1/messages");
    EXPECT_EQ(https.origin.host_header(), "graph.facebook.com");

    const auto http = parse_http_url("http://example.com");
    EXPECT_FALSE(http.origin.tls);
    EXPECT_EQ(http.origin.port, 80);
    EXPECT_EQ(http.target, "/");
}

TEST(ParseHttpUrl, ExplicitPortQueryAndHostHeader) {
    const auto url = parse_http_url("http://127.0.0.1:4321/media-download/9?token=a%20b");
    EXPECT_EQ(url.origin.host, "127.0.0.1");
    EXPECT_EQ(url.origin.port, 4321);
    EXPECT_EQ(url.target, "/media-download/9?token=a%20b");
    EXPECT_EQ(url.origin.host_header(), "127.0.0.1:4321");
    EXPECT_EQ(url.origin.key(), "http://127.0.0.1:4321");
}

TEST(ParseHttpUrl, Ipv6Literal) {
    const auto url = parse_http_url("https://[::1]:8443/x");
    EXPECT_EQ(url.origin.host, "::1");
    EXPECT_EQ(url.origin.host_header(), "[::1]:8443");
}

TEST(ParseHttpUrl, OriginsDifferBySchemeHostAndPort) {
    EXPECT_NE(parse_http_url("http://h:1/").origin.key(), parse_http_url("https://h:1/").origin.key());
    EXPECT_NE(parse_http_url("http://h:1/").origin.key(), parse_http_url("http://h:2/").origin.key());
    EXPECT_EQ(parse_http_url("http://h/a").origin.key(), parse_http_url("http://h:80/b").origin.key());
}

TEST(ParseHttpUrl, RejectsWhatWeCannotConnectTo) {
    EXPECT_THROW(parse_http_url("/relative"), std::invalid_argument);
    EXPECT_THROW(parse_http_url("ftp://h/x"), std::invalid_argument);
    EXPECT_THROW(parse_http_url("http:///x"), std::invalid_argument);
    EXPECT_THROW(parse_http_url("not a url"), std::invalid_argument);
}

}  // namespace
}  // namespace inbox::graph
