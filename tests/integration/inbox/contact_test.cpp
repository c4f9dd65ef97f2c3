// Contact info (API.md "Contacts"): answered from stored data; the optional upstream lookup (the fake Graph's
// /contacts-lookup) through its breaker and a 24 h cache; its failures never turn into 5xx where data is stored.
#include <gtest/gtest.h>

#include "fake_graph_test.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ContactTest : public FakeGraphTest {
protected:
    explicit ContactTest(bool with_lookup = true) : FakeGraphTest(options(with_lookup)) {}

    static InboxServerOptions options(bool with_lookup) {
        auto options = fake_graph_options();
        if (with_lookup) options.contact_lookup_url = fake_->base_url() + "/contacts-lookup";
        return options;
    }
    // A contact of account A who last wrote `last_inbound` (SQL), with a conversation.
    std::string contact(const std::optional<std::string>& profile_name = std::string("Sheena Nelson"),
                        const std::string& last_inbound = "now() - interval '2 hours'") {
        auto id = add_contact(account_a, "16505551234", std::nullopt, profile_name);
        add_conversation(account_a, "now()", "open", 0, last_inbound, id);
        return id;
    }
    RawResponse info(const std::string& id, const std::string& token = "") {
        return get("/contacts/" + id + "/whatsapp-info", token.empty() ? alice : token);
    }
    std::size_t lookups() { return fake_control.requests("contacts").size(); }
};

class StoredOnlyContactTest : public ContactTest {
protected:
    StoredOnlyContactTest() : ContactTest(false) {}
};

TEST_F(StoredOnlyContactTest, AnswersFromStoredDataWithTheFreeWindow) {
    auto id = contact();
    auto response = info(id);
    ASSERT_EQ(response.status, 200) << response.body;
    auto body = json_of(response);
    EXPECT_EQ(body["source"], "stored");
    EXPECT_EQ(body["stale"], false);
    EXPECT_EQ(body["contact"]["id"], id);
    EXPECT_EQ(body["contact"]["account_id"], account_a);
    EXPECT_EQ(body["contact"]["wa_id"], "16505551234");
    EXPECT_EQ(body["contact"]["profile_name"], "Sheena Nelson");
    EXPECT_EQ(body["contact"]["name"], nullptr);
    EXPECT_TRUE(body["contact"].contains("created_at"));
    EXPECT_EQ(body["whatsapp"]["wa_id"], "16505551234");
    EXPECT_EQ(body["whatsapp"]["profile_name"], "Sheena Nelson");
    EXPECT_FALSE(body["whatsapp"]["last_inbound_at"].is_null());
    EXPECT_EQ(body["whatsapp"]["free_window"]["open"], true);
    EXPECT_EQ(lookups(), 0u);
}

TEST_F(StoredOnlyContactTest, AnotherAccountsContactIs404) {
    auto id = contact();
    auto response = info(id, bob);
    ASSERT_EQ(response.status, 404);
    EXPECT_EQ(json_of(response)["error"]["code"], "not_found");
    EXPECT_EQ(info("8a7b6c5d-0000-4000-8000-000000000000").status, 404);
    EXPECT_EQ(info("nope").status, 404);
}

TEST_F(ContactTest, ALiveLookupAnswersAndIsCached) {
    fake_control.post("contacts", {{"16505551234", "Sheena N. (WhatsApp)"}});
    auto id = contact();
    auto first = json_of(info(id));
    EXPECT_EQ(first["source"], "live");
    EXPECT_EQ(first["stale"], false);
    EXPECT_EQ(first["whatsapp"]["profile_name"], "Sheena N. (WhatsApp)");
    EXPECT_EQ(first["contact"]["profile_name"], "Sheena Nelson");  // the stored row is unchanged
    auto second = json_of(info(id));
    EXPECT_EQ(second["source"], "live");
    EXPECT_EQ(lookups(), 1u);
    // No Meta token goes to the lookup service.
    EXPECT_EQ(fake_control.requests("contacts")[0]["authorization"], "");
}

// The old product's contact info was 100 % 5xx: here a failing lookup is a stale answer, and the breaker stops
// asking a lookup that keeps failing.
TEST_F(ContactTest, ALookupFailingEveryTimeAnswers200StaleAndTheBreakerStopsCalling) {
    fake_control.fail("contacts", {{"status", 500}});
    auto id = contact();
    for (int i = 0; i < 12; ++i) {
        auto response = info(id);
        ASSERT_EQ(response.status, 200) << response.body;
        auto body = json_of(response);
        EXPECT_EQ(body["source"], "stored");
        EXPECT_EQ(body["stale"], true);
        EXPECT_EQ(body["whatsapp"]["profile_name"], "Sheena Nelson");
    }
    EXPECT_EQ(lookups(), 5u);
    EXPECT_EQ(server_.graph().breaker(graph::GraphFamily::contacts).state(), graph::BreakerState::open);
}

TEST_F(ContactTest, AHangingLookupIsCutShortAndAnsweredFromStoredData) {
    fake_control.fail("contacts", {{"mode", "hang"}});
    auto id = contact();
    const auto started = std::chrono::steady_clock::now();
    auto response = info(id);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);  // the lookup's own 1.5 s timeout
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(json_of(response)["stale"], true);
}

TEST_F(ContactTest, NothingStoredAndALookupThatFailsIs503) {
    fake_control.fail("contacts", {{"status", 503}});
    auto id = contact(std::nullopt, "NULL");
    auto response = info(id);
    ASSERT_EQ(response.status, 503) << response.body;
    EXPECT_EQ(json_of(response)["error"]["code"], "upstream_unavailable");
    EXPECT_GE(std::stoi(response.header("Retry-After")), 1);
}

}  // namespace
}  // namespace inbox::testing
