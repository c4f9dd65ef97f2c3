#pragma once
// The fake Graph server's control API (docs/FAKE_GRAPH.md "Control API"): knobs, preloaded data, what it received.
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "raw_http.hpp"

namespace inbox::testing {

class FakeGraphControl {
public:
    explicit FakeGraphControl(std::uint16_t port) : port_(port) {}

    // POST /_control/<path>; expects 200 and answers its JSON.
    nlohmann::json post(const std::string& path, const nlohmann::json& body) const {
        auto response =
            http_request(port_, "POST", "/_control/" + path, {{"Content-Type", "application/json"}}, body.dump());
        EXPECT_EQ(response.status, 200) << path << ": " << response.body;
        return nlohmann::json::parse(response.body);
    }
    void reset() const { post("reset", nlohmann::json::object()); }
    // The family's failure rule (knobs "failure"): e.g. {{"code", 131047}} or {{"mode", "hang"}}; null clears it.
    void fail(const std::string& family, const nlohmann::json& failure) const {
        post("knobs", {{"families", {{family, {{"failure", failure}}}}}});
    }
    void latency(const std::string& family, int milliseconds) const {
        post("knobs", {{"families", {{family, {{"latency_ms", milliseconds}}}}}});
    }
    // The requests the family received, oldest first. For `messages`, the messages sent: read receipts (and typing)
    // go to the same endpoint beside sends, in the background, and are read with read_receipts().
    nlohmann::json requests(const std::string& family) const {
        auto all = all_requests(family);
        if (family != "messages") return all;
        auto sends = nlohmann::json::array();
        for (auto& request : all) {
            if (!is_read_receipt(request)) sends.push_back(std::move(request));
        }
        return sends;
    }
    nlohmann::json read_receipts() const {
        auto receipts = nlohmann::json::array();
        for (auto& request : all_requests("messages")) {
            if (is_read_receipt(request)) receipts.push_back(std::move(request));
        }
        return receipts;
    }
    nlohmann::json all_requests(const std::string& family) const {
        auto response = http_request(port_, "GET", "/_control/requests?family=" + family);
        return nlohmann::json::parse(response.body)["requests"];
    }
    static bool is_read_receipt(const nlohmann::json& request) {
        return request.contains("json") && request["json"].is_object() && request["json"].value("status", "") == "read";
    }
    nlohmann::json stats() const { return nlohmann::json::parse(http_request(port_, "GET", "/_control/stats").body); }

private:
    std::uint16_t port_;
};

}  // namespace inbox::testing
