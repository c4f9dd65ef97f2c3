#pragma once
// Starts an in-process fake-graph on an ephemeral loopback port and talks to it over real HTTP.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "fake_graph/server.hpp"
#include "http_test_client.hpp"

namespace fake_graph::testing {

inline constexpr const char* kToken = "test-access-token";
inline constexpr const char* kVersion = "v21.0";

class FakeGraphTest : public ::testing::Test {
protected:
    void SetUp() override { start(ServerOptions{}); }

    void start(ServerOptions options) {
        client_.reset();
        server_.reset();
        server_ = std::make_unique<Server>(std::move(options));
        client_ = new_client();
    }

    std::unique_ptr<HttpTestClient> new_client() const {
        return std::make_unique<HttpTestClient>("127.0.0.1", server_->port());
    }

    HttpTestClient& client() { return *client_; }
    std::string authority() const { return "127.0.0.1:" + std::to_string(server_->port()); }

    // POST /_control/<what> and insist it worked.
    nlohmann::json control(const std::string& what, const nlohmann::json& body) {
        const auto result = client().post("/_control/" + what, body);
        EXPECT_EQ(result.status, 200) << result.body << result.error;
        return result.status == 200 ? result.json() : nlohmann::json();
    }
    nlohmann::json control_get(const std::string& what) {
        const auto result = client().get("/_control/" + what);
        EXPECT_EQ(result.status, 200) << result.body << result.error;
        return result.status == 200 ? result.json() : nlohmann::json();
    }
    void set_failure(const std::string& family, const nlohmann::json& failure) {
        control("knobs", {{"families", {{family, {{"failure", failure}}}}}});
    }

    HttpResult send_text(HttpTestClient& via, const std::string& to, const std::string& text = "hello") {
        return via.post(std::string("/") + kVersion + "/106540352242922/messages",
                        {{"messaging_product", "whatsapp"}, {"to", to}, {"type", "text"}, {"text", {{"body", text}}}},
                        kToken);
    }
    HttpResult send_text(const std::string& to, const std::string& text = "hello") { return send_text(client(), to, text); }

    std::unique_ptr<Server> server_;
    std::unique_ptr<HttpTestClient> client_;
};

}  // namespace fake_graph::testing
