// The web inbox's static files: what is served, with which headers, and what never is.
#include "inbox/api/web_routes.hpp"
#include "inbox/http/dispatcher.hpp"
#include "inbox/http/router.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/web/static_site.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace inbox::api {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
using http::Field;
using http::Verb;

void write_file(const fs::path& path, std::string_view bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
}

class WebRoutesTest : public ::testing::Test {
protected:
    WebRoutesTest() : root(fs::temp_directory_path() / ("web-routes-" + std::to_string(std::random_device{}()))) {
        write_file(root / "web" / "index.html", "<!doctype html><title>Inbox</title>");
        write_file(root / "web" / "app" / "main.js", "export const x = 1;\n");
        write_file(root / "web" / "app" / "style.css", "body{}");
        write_file(root / "web" / "app" / ".secret", "hidden");
        write_file(root / "web" / "app" / "nested" / "deep.js", "nested");
        write_file(root / "web" / "private.txt", "outside app/");
        write_file(root / "openapi.yaml", "openapi: 3.1.0\n");
    }
    ~WebRoutesTest() override { fs::remove_all(root); }

    void serve_site() {
        site = web::StaticSite::load(root / "web", root / "openapi.yaml");
        register_web_routes(router, site);
    }

    http::Response get(std::string target, Verb verb = Verb::get, std::string if_none_match = {}) {
        http::Dispatcher dispatcher(router, [](std::string_view) { return std::nullopt; }, metrics);
        http::Request request;
        request.message.method(verb);
        request.message.target(target);
        if (!if_none_match.empty()) request.message.set(Field::if_none_match, if_none_match);
        auto future = asio::co_spawn(io, dispatcher.dispatch(request), asio::use_future);
        io.restart();
        io.run();
        return future.get();
    }

    fs::path root;
    web::StaticSite site;
    http::Router router;
    observability::MetricsRegistry metrics;
    asio::io_context io;
};

TEST_F(WebRoutesTest, IndexAndAssetsAreServedWithTheirTypesAndAStrictPolicy) {
    serve_site();
    auto index = get("/");
    ASSERT_EQ(index.message.result_int(), 200u);
    EXPECT_EQ(index.message.body(), "<!doctype html><title>Inbox</title>");
    EXPECT_EQ(index.message[Field::content_type], "text/html; charset=utf-8");
    EXPECT_EQ(index.message[Field::cache_control], "no-cache");
    EXPECT_EQ(index.message["X-Content-Type-Options"], "nosniff");
    const auto policy = std::string(index.message["Content-Security-Policy"]);
    EXPECT_NE(policy.find("default-src 'none'"), std::string::npos);
    EXPECT_NE(policy.find("script-src 'self';"), std::string::npos);
    EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos);
    EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos);

    auto script = get("/app/main.js?v=1");
    ASSERT_EQ(script.message.result_int(), 200u);
    EXPECT_EQ(script.message[Field::content_type], "text/javascript; charset=utf-8");
    EXPECT_EQ(get("/app/style.css").message[Field::content_type], "text/css; charset=utf-8");
    auto spec = get("/openapi.yaml");
    ASSERT_EQ(spec.message.result_int(), 200u);
    EXPECT_EQ(spec.message.body(), "openapi: 3.1.0\n");
    EXPECT_EQ(spec.message[Field::content_type], "application/yaml; charset=utf-8");
}

TEST_F(WebRoutesTest, AMatchingEtagAnswers304WithoutBody) {
    serve_site();
    const auto etag = std::string(get("/app/main.js").message[Field::etag]);
    ASSERT_EQ(etag.size(), 34u) << etag;
    auto again = get("/app/main.js", Verb::get, etag);
    EXPECT_EQ(again.message.result_int(), 304u);
    EXPECT_TRUE(again.message.body().empty());
    EXPECT_EQ(get("/app/main.js", Verb::get, "\"other\"").message.result_int(), 200u);
    EXPECT_NE(get("/app/style.css").message[Field::etag], etag);
}

TEST_F(WebRoutesTest, HiddenNestedTraversingAndOutsideFilesAreNotFound) {
    serve_site();
    for (const auto* target : {"/app/.secret", "/app/nested", "/app/nested/deep.js", "/app/..%2Fprivate.txt",
                               "/app/%2e%2e", "/private.txt", "/app/missing.js", "/index.html"}) {
        EXPECT_EQ(get(target).message.result_int(), 404u) << target;
    }
}

TEST_F(WebRoutesTest, HeadAnswersHeadersAndWrongMethodsAnswer405) {
    serve_site();
    EXPECT_EQ(get("/", Verb::head).message.result_int(), 200u);
    auto post = get("/app/main.js", Verb::post);
    EXPECT_EQ(post.message.result_int(), 405u);
    EXPECT_EQ(post.message[Field::allow], "GET, HEAD");
}

TEST_F(WebRoutesTest, WithoutWebDirNothingIsRegistered) {
    site = web::StaticSite::load(std::nullopt, std::nullopt);
    register_web_routes(router, site);
    EXPECT_TRUE(router.routes().empty());
    EXPECT_EQ(get("/").message.result_int(), 404u);
}

TEST_F(WebRoutesTest, AWebDirWithoutIndexIsRefusedAtStartUp) {
    fs::remove(root / "web" / "index.html");
    EXPECT_THROW(web::StaticSite::load(root / "web", std::nullopt), std::runtime_error);
}

TEST(StaticSiteNames, OnlyPlainNamesAreServable) {
    EXPECT_TRUE(web::is_servable_name("main.js"));
    EXPECT_TRUE(web::is_servable_name("conversation-list_2.js"));
    EXPECT_FALSE(web::is_servable_name(""));
    EXPECT_FALSE(web::is_servable_name(".hidden"));
    EXPECT_FALSE(web::is_servable_name(".."));
    EXPECT_FALSE(web::is_servable_name("a/b.js"));
    EXPECT_FALSE(web::is_servable_name("a b.js"));
    EXPECT_FALSE(web::is_servable_name(std::string(129, 'a')));
    EXPECT_EQ(web::content_type_for("x.unknown"), "application/octet-stream");
    EXPECT_EQ(web::content_type_for("icon.svg"), "image/svg+xml");
}

}  // namespace
}  // namespace inbox::api
