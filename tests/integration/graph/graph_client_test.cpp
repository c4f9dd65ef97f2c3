// GraphClient's calls against fake-graph: what goes on the wire, what comes back, refusals and outages.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "graph_fixture.hpp"

namespace inbox::graph::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class GraphClientTest : public GraphTest {};

TEST_F(GraphClientTest, SendTextReturnsTheWamidAndSendsTheBodyWithTheBearerToken) {
    const auto result = send_text("+1 650-555-1234", "Does it come in red?");
    ASSERT_TRUE(result) << (result.unavailable() ? result.unavailable()->reason : result.refused()->title);
    EXPECT_TRUE(result.value().wamid.starts_with("wamid.")) << result.value().wamid;

    const auto recorded = control().recorded("messages");
    ASSERT_EQ(recorded.size(), 1u);
    EXPECT_EQ(recorded[0]["method"], "POST");
    EXPECT_EQ(recorded[0]["target"], std::string("/") + kVersion + "/" + kPhoneNumberId + "/messages");
    EXPECT_EQ(recorded[0]["authorization"], std::string("Bearer ") + kToken);
    EXPECT_EQ(recorded[0]["json"]["to"], "+1 650-555-1234");
    EXPECT_EQ(recorded[0]["json"]["text"]["body"], "Does it come in red?");
    EXPECT_EQ(recorded[0]["json"]["messaging_product"], "whatsapp");
    EXPECT_EQ(metric("inbox_graph_requests_total", {{"endpoint", "send_text"}, {"outcome", "success"}}), 1u);
}

TEST_F(GraphClientTest, ReplyCarriesTheContext) {
    ASSERT_TRUE(run(graph().send_text(kPhoneNumberId, kToken, {"1555", std::string("wamid.IN")}, "yes")));
    EXPECT_EQ(control().recorded("messages")[0]["json"]["context"]["message_id"], "wamid.IN");
}

TEST_F(GraphClientTest, SendTemplateSendsNameLanguageAndParameters) {
    const auto result = run(graph().send_template(kPhoneNumberId, kToken, {"1555"},
                                                  body_only_template("reengage", "en_US", {"Hi again"})));
    ASSERT_TRUE(result);
    const auto body = control().recorded("messages")[0]["json"];
    EXPECT_EQ(body["type"], "template");
    EXPECT_EQ(body["template"]["name"], "reengage");
    EXPECT_EQ(body["template"]["language"]["code"], "en_US");
    EXPECT_EQ(body["template"]["components"][0]["parameters"][0]["text"], "Hi again");
}

TEST_F(GraphClientTest, OutsideTheWindowIsRefusedWithMetasCode) {
    control().fail("messages", {{"code", 131047}, {"details", "more than 24 hours"}});
    const auto result = send_text();
    ASSERT_TRUE(result.refused());
    EXPECT_EQ(result.refused()->code, 131047);
    EXPECT_EQ(result.refused()->http_status, 400u);
    EXPECT_EQ(result.refused()->details, "more than 24 hours");
    EXPECT_FALSE(result.refused()->title.empty());
    EXPECT_EQ(metric("inbox_graph_requests_total", {{"endpoint", "send_text"}, {"outcome", "refused"}}), 1u);
}

TEST_F(GraphClientTest, RefusalsAreNotBreakerFailures) {
    control().fail("messages", {{"code", 131047}});
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(send_text().refused());
    EXPECT_EQ(graph().breaker(GraphFamily::messages).state(), BreakerState::closed);
}

// A number's throughput limit is the send path's per-number throttle's business: it must not open the breaker that
// every account's sends share. The app-wide limit (code 4) still does.
TEST_F(GraphClientTest, ANumbersThrottlingIsUnavailableButNoBreakerFailure) {
    control().fail("messages", {{"status", 429}, {"code", 130429}});
    const auto result = send_text();
    ASSERT_TRUE(result.unavailable());
    EXPECT_EQ(result.unavailable()->reason, "graph_error");
    EXPECT_EQ(result.unavailable()->graph_code, 130429);
    EXPECT_GE(result.unavailable()->retry_after_seconds, 1);
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(send_text().unavailable());
    EXPECT_EQ(graph().breaker(GraphFamily::messages).state(), BreakerState::closed);

    control().fail("messages", {{"status", 400}, {"code", 4}});
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(send_text().unavailable());
    EXPECT_EQ(graph().breaker(GraphFamily::messages).state(), BreakerState::open);
}

TEST_F(GraphClientTest, HangIsATimeoutWithinTheConfiguredDeadline) {
    auto options = default_graph_options();
    options.request_timeout = 300ms;
    make_clients(default_http_options(), options);
    control().fail("messages", {{"mode", "hang"}});
    const auto started = std::chrono::steady_clock::now();
    const auto result = send_text();
    const auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(result.unavailable());
    EXPECT_EQ(result.unavailable()->reason, "timeout");
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, 1s);
}

TEST_F(GraphClientTest, ResetIsUnavailableAndTheNextCallSucceedsOnANewConnection) {
    control().fail("messages", {{"mode", "reset"}, {"count", 1}});
    const auto before = control().connections_accepted();
    const auto reset = send_text();
    ASSERT_TRUE(reset.unavailable());
    EXPECT_EQ(reset.unavailable()->reason, "connection_reset");
    EXPECT_TRUE(send_text());
    EXPECT_EQ(control().connections_accepted() - before, 2u);
}

TEST_F(GraphClientTest, TemplateListingWalksEveryPage) {
    auto options = default_graph_options();
    options.template_page_size = 10;
    make_clients(default_http_options(), options);
    json templates = json::array();
    for (int i = 0; i < 25; ++i) {
        templates.push_back({{"name", "t" + std::to_string(i)}, {"status", "APPROVED"}, {"body_text", "Hi {{1}}"}});
    }
    control().post("templates", {{"waba_id", "W1"}, {"templates", templates}});
    control().post("templates", {{"waba_id", "OTHER"}, {"templates", json::array({{{"name", "not-mine"}}})}});

    const auto result = run(graph().list_templates("W1", kToken));
    ASSERT_TRUE(result);
    ASSERT_EQ(result.value().size(), 25u);
    EXPECT_EQ(result.value().front().name, "t0");
    EXPECT_EQ(result.value().back().name, "t24");
    EXPECT_EQ(result.value().front().parameter_count, 1);
    EXPECT_EQ(control().requests("templates"), 3u);
}

TEST_F(GraphClientTest, AFailingPageFailsTheListing) {
    auto options = default_graph_options();
    options.template_page_size = 1;
    make_clients(default_http_options(), options);
    control().post("templates", {{"waba_id", "W1"}, {"templates", json::array({{{"name", "a"}}, {{"name", "b"}}})}});
    control().fail("templates", {{"code", 2}, {"count", 1}});
    EXPECT_TRUE(run(graph().list_templates("W1", kToken)).unavailable());
}

TEST_F(GraphClientTest, CreatedTemplateIsListedAfterwards) {
    const auto created = run(graph().create_template("W2", kToken, "reengage", "en_US", "UTILITY", "Hi {{1}}"));
    ASSERT_TRUE(created);
    EXPECT_EQ(created.value().status, "PENDING");
    const auto sent = control().recorded("templates")[0]["json"];
    EXPECT_EQ(sent["components"][0]["text"], "Hi {{1}}");
    const auto listed = run(graph().list_templates("W2", kToken));
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed.value().size(), 1u);
    EXPECT_EQ(listed.value()[0].name, "reengage");
    EXPECT_EQ(listed.value()[0].body_text, "Hi {{1}}");
}

TEST_F(GraphClientTest, ContactLookupThroughTheUrlTemplate) {
    control().post("contacts", {{"16505551234", "Sheena Nelson"}});
    const auto profile =
        run(graph().lookup_contact(fake().base_url() + "/contacts-lookup/{wa_id}", "16505551234", kToken));
    ASSERT_TRUE(profile);
    EXPECT_EQ(profile.value().profile_name, "Sheena Nelson");
    EXPECT_EQ(control().recorded("contacts")[0]["target"], "/contacts-lookup/16505551234");
}

TEST_F(GraphClientTest, ContactLookupHasItsOwnShortTimeout) {
    auto options = default_graph_options();
    options.contact_lookup_timeout = 200ms;
    make_clients(default_http_options(), options);
    control().fail("contacts", {{"mode", "hang"}});
    const auto started = std::chrono::steady_clock::now();
    const auto result = run(graph().lookup_contact(fake().base_url() + "/contacts-lookup", "1555", kToken));
    ASSERT_TRUE(result.unavailable());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 800ms);
}

TEST_F(GraphClientTest, AccessTokensNeverReachTheLog) {
    std::ostringstream captured;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
    auto logger = spdlog::default_logger();
    const auto level = logger->level();
    logger->sinks().push_back(sink);
    logger->set_level(spdlog::level::trace);

    auto options = default_graph_options();
    options.request_timeout = 200ms;
    make_clients(default_http_options(), options);
    control().fail("messages", {{"code", 131047}, {"count", 1}});
    EXPECT_TRUE(send_text().refused());
    control().fail("messages", {{"status", 500}, {"code", 1}, {"count", 1}});
    EXPECT_TRUE(send_text().unavailable());
    control().fail("messages", {{"mode", "hang"}});
    EXPECT_TRUE(send_text().unavailable());
    const auto meta = run(graph().get_media_meta("55", kToken));
    ASSERT_TRUE(meta);
    TempPath file;
    EXPECT_TRUE(run(graph().download_media(meta.value().url + "x", kToken, file.path(), 1 << 20)).refused());

    logger->sinks().pop_back();
    logger->set_level(level);
    const auto log = captured.str();
    EXPECT_FALSE(log.empty());
    EXPECT_EQ(log.find(kToken), std::string::npos) << log;
    EXPECT_EQ(log.find("token="), std::string::npos) << log;
}

}  // namespace
}  // namespace inbox::graph::testing
