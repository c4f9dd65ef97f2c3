#include "inbox/http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace inbox::http {
namespace {

boost::asio::awaitable<Response> noop(Request&) { co_return Response{}; }

class RouterTest : public ::testing::Test {
protected:
    void SetUp() override {
        router.add(Verb::get, "/", noop);
        router.add(Verb::get, "/health", noop);
        router.add(Verb::get, "/conversations/{conversation_id}", noop);
        router.add(Verb::get, "/conversations/{conversation_id}/messages", noop);
        router.add(Verb::post, "/conversations/{conversation_id}/read", noop);
        router.add(Verb::get, "/accounts/{account_id}/templates/{template_id}", noop);
        router.add(Verb::get, "/webhook/whatsapp", noop, RouteOptions{.body_limit = kWebhookBodyLimit});
        router.add(Verb::post, "/webhook/whatsapp", noop, RouteOptions{.body_limit = kWebhookBodyLimit});
        router.add(Verb::put, "/items/{id}", noop);
        router.add(Verb::delete_, "/items/{id}", noop);
        router.add(Verb::patch, "/items/{id}", noop);
    }
    Router router;
};

TEST_F(RouterTest, StaticPathMatchesItsMethod) {
    auto match = router.match(Verb::get, "/health");
    ASSERT_EQ(match.kind, RouteMatch::Kind::found);
    ASSERT_NE(match.route, nullptr);
    EXPECT_EQ(match.route->path_template, "/health");
    EXPECT_TRUE(match.params.empty());
}

TEST_F(RouterTest, RootPathMatchesRootRouteOnly) {
    auto match = router.match(Verb::get, "/");
    ASSERT_EQ(match.kind, RouteMatch::Kind::found);
    EXPECT_EQ(match.route->path_template, "/");
    EXPECT_EQ(router.match(Verb::get, "//").kind, RouteMatch::Kind::not_found);
}

TEST_F(RouterTest, UnknownPathIsNotFound) {
    auto match = router.match(Verb::get, "/nope");
    EXPECT_EQ(match.kind, RouteMatch::Kind::not_found);
    EXPECT_EQ(match.route, nullptr);
    EXPECT_TRUE(match.allow.empty());
    EXPECT_EQ(router.match(Verb::get, "/conversations/1/messages/extra").kind, RouteMatch::Kind::not_found);
    EXPECT_EQ(router.match(Verb::get, "/Health").kind, RouteMatch::Kind::not_found);  // paths are case-sensitive
}

TEST_F(RouterTest, EmptyOrRelativePathIsNotFound) {
    EXPECT_EQ(router.match(Verb::get, "").kind, RouteMatch::Kind::not_found);
    EXPECT_EQ(router.match(Verb::get, "health").kind, RouteMatch::Kind::not_found);
    EXPECT_EQ(router.match(Verb::get, "*").kind, RouteMatch::Kind::not_found);
}

TEST_F(RouterTest, ParameterIsCapturedByName) {
    auto match = router.match(Verb::get, "/accounts/acc-1/templates/tpl-2");
    ASSERT_EQ(match.kind, RouteMatch::Kind::found);
    EXPECT_EQ(match.route->path_template, "/accounts/{account_id}/templates/{template_id}");
    ASSERT_EQ(match.params.size(), 2u);
    EXPECT_EQ(match.params[0], (std::pair<std::string, std::string>{"account_id", "acc-1"}));
    EXPECT_EQ(match.params[1], (std::pair<std::string, std::string>{"template_id", "tpl-2"}));
}

TEST_F(RouterTest, ParameterIsPercentDecoded) {
    auto match = router.match(Verb::get, "/conversations/a%20b%C3%A9");
    ASSERT_EQ(match.kind, RouteMatch::Kind::found);
    ASSERT_EQ(match.params.size(), 1u);
    EXPECT_EQ(match.params[0].second, "a b\xC3\xA9");
}

TEST_F(RouterTest, EncodedSlashStaysInsideOneSegment) {
    auto match = router.match(Verb::get, "/conversations/a%2Fb");
    ASSERT_EQ(match.kind, RouteMatch::Kind::found);
    EXPECT_EQ(match.route->path_template, "/conversations/{conversation_id}");
    ASSERT_EQ(match.params.size(), 1u);
    EXPECT_EQ(match.params[0].second, "a/b");
    // ...while a literal slash splits segments and reaches the nested route (or nothing).
    EXPECT_EQ(router.match(Verb::get, "/conversations/a%2Fb/messages").route->path_template,
              "/conversations/{conversation_id}/messages");
}

TEST_F(RouterTest, EncodedLiteralSegmentMatchesDecoded) {
    auto match = router.match(Verb::get, "/%68ealth");
    ASSERT_EQ(match.kind, RouteMatch::Kind::found);
    EXPECT_EQ(match.route->path_template, "/health");
}

TEST_F(RouterTest, TrailingSlashIsADifferentPath) {
    EXPECT_EQ(router.match(Verb::get, "/health/").kind, RouteMatch::Kind::not_found);
    // "/conversations/" has an empty last segment: the {conversation_id} parameter cannot be empty.
    EXPECT_EQ(router.match(Verb::get, "/conversations/").kind, RouteMatch::Kind::not_found);
    EXPECT_EQ(router.match(Verb::get, "/conversations/c1/messages/").kind, RouteMatch::Kind::not_found);
}

TEST_F(RouterTest, ParameterSegmentCannotBeEmpty) {
    EXPECT_EQ(router.match(Verb::get, "/conversations//messages").kind, RouteMatch::Kind::not_found);
    EXPECT_EQ(router.match(Verb::get, "/accounts//templates/t").kind, RouteMatch::Kind::not_found);
    EXPECT_EQ(router.match(Verb::get, "/accounts/a/templates/").kind, RouteMatch::Kind::not_found);
}

TEST_F(RouterTest, KnownPathWithOtherMethodIsMethodNotAllowedWithAllow) {
    auto match = router.match(Verb::delete_, "/conversations/c1/read");
    EXPECT_EQ(match.kind, RouteMatch::Kind::method_not_allowed);
    EXPECT_EQ(match.route, nullptr);
    EXPECT_EQ(match.allow, "POST");
}

TEST_F(RouterTest, MethodNotAllowedListsEveryMethodOfThePath) {
    auto match = router.match(Verb::get, "/items/42");
    EXPECT_EQ(match.kind, RouteMatch::Kind::method_not_allowed);
    EXPECT_EQ(match.allow, "PUT, DELETE, PATCH");

    auto webhook = router.match(Verb::put, "/webhook/whatsapp");
    EXPECT_EQ(webhook.kind, RouteMatch::Kind::method_not_allowed);
    EXPECT_EQ(webhook.allow, "GET, HEAD, POST");
}

TEST_F(RouterTest, HeadIsAnsweredByThePathsGetRoute) {
    auto match = router.match(Verb::head, "/conversations/c1");
    ASSERT_EQ(match.kind, RouteMatch::Kind::found);
    EXPECT_EQ(match.route->method, Verb::get);
    EXPECT_EQ(match.route->path_template, "/conversations/{conversation_id}");
    ASSERT_EQ(match.params.size(), 1u);
    EXPECT_EQ(match.params[0].second, "c1");
    EXPECT_TRUE(match.allow.empty());
}

TEST_F(RouterTest, HeadWithoutAGetRouteIsMethodNotAllowed) {
    auto match = router.match(Verb::head, "/conversations/c1/read");
    EXPECT_EQ(match.kind, RouteMatch::Kind::method_not_allowed);
    EXPECT_EQ(match.allow, "POST");
    EXPECT_EQ(router.match(Verb::head, "/items/1").allow, "PUT, DELETE, PATCH");
}

TEST_F(RouterTest, AHeadRouteOfItsOwnWinsOverTheGetRoute) {
    Router own;
    own.add(Verb::get, "/files/{name}", noop, RouteOptions{.body_limit = 1});
    own.add(Verb::head, "/files/{name}", noop, RouteOptions{.body_limit = 2});
    auto match = own.match(Verb::head, "/files/a");
    ASSERT_EQ(match.kind, RouteMatch::Kind::found);
    EXPECT_EQ(match.route->method, Verb::head);
    EXPECT_EQ(match.route->options.body_limit, 2u);
    EXPECT_EQ(own.match(Verb::post, "/files/a").allow, "GET, HEAD");  // listed once
}

TEST_F(RouterTest, SameMethodOnAnotherPathDoesNotCount) {
    // POST exists for /conversations/{id}/read but not for /conversations/{id}.
    auto match = router.match(Verb::post, "/conversations/c1");
    EXPECT_EQ(match.kind, RouteMatch::Kind::method_not_allowed);
    EXPECT_EQ(match.allow, "GET, HEAD");
}

TEST_F(RouterTest, DuplicateMethodAppearsOnceInAllow) {
    Router duplicate;
    duplicate.add(Verb::get, "/x/{a}", noop);
    duplicate.add(Verb::get, "/x/{b}", noop);
    auto match = duplicate.match(Verb::post, "/x/1");
    EXPECT_EQ(match.kind, RouteMatch::Kind::method_not_allowed);
    EXPECT_EQ(match.allow, "GET, HEAD");
}

TEST_F(RouterTest, FirstRegisteredRouteWins) {
    Router ordered;
    ordered.add(Verb::get, "/users/me", noop);
    ordered.add(Verb::get, "/users/{id}", noop);
    EXPECT_EQ(ordered.match(Verb::get, "/users/me").route->path_template, "/users/me");
    EXPECT_EQ(ordered.match(Verb::get, "/users/u1").route->path_template, "/users/{id}");
}

TEST_F(RouterTest, RouteOptionsAreKept) {
    auto match = router.match(Verb::post, "/webhook/whatsapp");
    ASSERT_EQ(match.kind, RouteMatch::Kind::found);
    EXPECT_EQ(match.route->options.body_limit, kWebhookBodyLimit);
    EXPECT_EQ(router.match(Verb::get, "/health").route->options.body_limit, kApiBodyLimit);
    EXPECT_TRUE(router.match(Verb::get, "/health").route->options.requires_auth);
}

TEST(RouterAdd, TemplateMustStartWithSlash) {
    Router router;
    EXPECT_THROW(router.add(Verb::get, "health", noop), std::invalid_argument);
    EXPECT_THROW(router.add(Verb::get, "", noop), std::invalid_argument);
}

}  // namespace
}  // namespace inbox::http
