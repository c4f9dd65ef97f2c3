#pragma once
#include "raw_client.hpp"
#include "test_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace inbox::http::testing {

namespace bhttp = boost::beast::http;

// Starts a TestServer per test; subclasses change the options.
class HttpServerTest : public ::testing::Test {
protected:
    virtual ServerOptions options() { return test_options(); }
    void SetUp() override { server = std::make_unique<TestServer>(options()); }
    void TearDown() override { server.reset(); }

    std::uint16_t port() const { return server->port(); }
    std::unique_ptr<RawClient> connect() { return std::make_unique<RawClient>(port()); }

    // One request on a fresh connection; fails the test when no response arrives.
    RawResponse roundtrip(const std::string& request) {
        RawClient client(port());
        EXPECT_TRUE(client.send(request));
        auto response = client.read_response();
        EXPECT_TRUE(response.has_value()) << "no response to: " << request.substr(0, 200);
        return response.value_or(RawResponse{});
    }

    static nlohmann::json body_json(const RawResponse& response) {
        return nlohmann::json::parse(response.body(), nullptr, false);
    }

    // Checks API.md's error shape and that the body's request_id matches the X-Request-Id header.
    static void expect_error(const RawResponse& response, unsigned status, const std::string& code) {
        EXPECT_EQ(response.result_int(), status);
        EXPECT_EQ(response[bhttp::field::content_type], "application/json; charset=utf-8");
        auto body = body_json(response);
        ASSERT_TRUE(body.is_object()) << response.body();
        ASSERT_EQ(body.size(), 1u) << response.body();
        ASSERT_TRUE(body.contains("error")) << response.body();
        const auto& error = body["error"];
        EXPECT_EQ(error.value("code", ""), code) << response.body();
        EXPECT_TRUE(error.contains("message") && error["message"].is_string()) << response.body();
        ASSERT_TRUE(error.contains("request_id") && error["request_id"].is_string()) << response.body();
        EXPECT_FALSE(response["X-Request-Id"].empty());
        EXPECT_EQ(error["request_id"].get<std::string>(), std::string(response["X-Request-Id"]));
    }

    std::unique_ptr<TestServer> server;
};

}  // namespace inbox::http::testing
