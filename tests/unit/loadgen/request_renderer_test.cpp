#include "loadgen/request_renderer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loadgen/hmac.hpp"

namespace inbox::loadgen {
namespace {

struct Wire {
    std::string head;
    std::string body;
    std::string header(const std::string& name) const {
        const auto at = head.find("\r\n" + name + ": ");
        if (at == std::string::npos) return {};
        const auto begin = at + name.size() + 4;
        return head.substr(begin, head.find("\r\n", begin) - begin);
    }
};

Wire split(const std::string& wire) {
    const auto end = wire.find("\r\n\r\n");
    return {wire.substr(0, end + 2), wire.substr(end + 4)};
}

TEST(SerializeRequest, WritesAnHttp11MessageWithContentLength) {
    const std::string body = "{}";
    EXPECT_EQ(serialize_request("POST", "/x", "127.0.0.1:8080", {{"Content-Type", "application/json"}}, &body),
              "POST /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: inbox-loadgen\r\n"
              "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_EQ(serialize_request("GET", "/health", "h", {}, nullptr),
              "GET /health HTTP/1.1\r\nHost: h\r\nUser-Agent: inbox-loadgen\r\n\r\n");
}

TEST(RequestRenderer, SignsTheFinalBodyAfterSubstitution) {
    const Scenario scenario = parse_scenario(
        R"({"vars":{"secret":"s3cret"},"requests":[{"name":"webhook","method":"POST","path":"/webhook/whatsapp",)"
        R"("body":"{\"entry\":[{\"id\":\"wamid.ORIGINAL\",\"n\":{{seq}}}]}","unique_wamid":true,)"
        R"("sign_webhook":{"secret_var":"secret"},"headers":{"Content-Type":"application/json"}}]})",
        ".", {});
    RequestRenderer renderer(scenario, "127.0.0.1:8080", "/base", 1, 99);
    const Wire first = split(renderer.render(0, 1, 1764000000));
    const Wire second = split(renderer.render(0, 2, 1764000000));

    EXPECT_EQ(first.head.rfind("POST /base/webhook/whatsapp HTTP/1.1\r\n", 0), 0u);
    EXPECT_EQ(first.header("Content-Length"), std::to_string(first.body.size()));
    EXPECT_EQ(first.header("X-Hub-Signature-256"), webhook_signature("s3cret", first.body));
    EXPECT_EQ(second.header("X-Hub-Signature-256"), webhook_signature("s3cret", second.body));
    const auto a = nlohmann::json::parse(first.body);
    const auto b = nlohmann::json::parse(second.body);
    EXPECT_EQ(a["entry"][0]["n"], 1);
    EXPECT_NE(a["entry"][0]["id"], "wamid.ORIGINAL");
    EXPECT_NE(a["entry"][0]["id"], b["entry"][0]["id"]);
}

TEST(RequestRenderer, BodylessPostSendsContentLengthZero) {
    const Scenario scenario =
        parse_scenario(R"({"requests":[{"name":"read","method":"POST","path":"/conversations/1/read"}]})", ".", {});
    RequestRenderer renderer(scenario, "h", "", 1, 1);
    EXPECT_EQ(split(renderer.render(0, 0, 0)).header("Content-Length"), "0");
}

}  // namespace
}  // namespace inbox::loadgen
