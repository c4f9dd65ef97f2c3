#include "inbox/http/load_shedder.hpp"

#include <gtest/gtest.h>

#include "inbox/observability/metrics.hpp"

namespace inbox::http {
namespace {

using namespace std::chrono_literals;

TEST(LoadShedder, TicketsHoldPlacesInFlightUntilDestroyed) {
    observability::MetricsRegistry metrics;
    LoadShedder shedder({.max_in_flight = 2, .max_loop_lag = 0ms}, metrics);
    auto first = shedder.admit();
    auto second = shedder.admit();
    ASSERT_TRUE(first.ticket && second.ticket);
    EXPECT_EQ(shedder.in_flight(), 2u);
    auto third = shedder.admit();
    EXPECT_FALSE(third.ticket);
    EXPECT_EQ(third.reason, LoadShedder::Reason::in_flight);
    EXPECT_EQ(shedder.in_flight(), 2u) << "a refusal takes no place";
    first.ticket.reset();
    EXPECT_EQ(shedder.in_flight(), 1u);
    EXPECT_TRUE(shedder.admit().ticket);
    EXPECT_EQ(shedder.in_flight(), 1u) << "the temporary's ticket was given back";
}

TEST(LoadShedder, AMovedTicketGivesItsPlaceBackOnce) {
    observability::MetricsRegistry metrics;
    LoadShedder shedder({.max_in_flight = 1, .max_loop_lag = 0ms}, metrics);
    {
        auto admission = shedder.admit();
        LoadShedder::Ticket moved(std::move(*admission.ticket));
        admission.ticket.reset();
        EXPECT_EQ(shedder.in_flight(), 1u);
    }
    EXPECT_EQ(shedder.in_flight(), 0u);
}

TEST(LoadShedder, LagPastTheLimitShedsUntilItFalls) {
    observability::MetricsRegistry metrics;
    LoadShedder shedder({.max_in_flight = 0, .max_loop_lag = 100ms}, metrics);
    EXPECT_TRUE(shedder.admit().ticket);
    shedder.observe_loop_lag(150ms);
    auto shed = shedder.admit();
    EXPECT_FALSE(shed.ticket);
    EXPECT_EQ(shed.reason, LoadShedder::Reason::loop_lag);
    shedder.observe_loop_lag(100ms);
    EXPECT_TRUE(shedder.admit().ticket) << "at the limit is still admitted";
}

TEST(LoadShedder, ZeroLimitsAdmitEverything) {
    observability::MetricsRegistry metrics;
    LoadShedder shedder({.max_in_flight = 0, .max_loop_lag = 0ms}, metrics);
    shedder.observe_loop_lag(10s);
    std::vector<LoadShedder::Ticket> held;
    for (int i = 0; i < 5000; ++i) held.push_back(std::move(*shedder.admit().ticket));
    EXPECT_EQ(shedder.in_flight(), 5000u);
}

TEST(LoadShedder, ShedRequestsAndTheLoadAreInMetrics) {
    observability::MetricsRegistry metrics;
    LoadShedder shedder({.max_in_flight = 1, .max_loop_lag = 100ms}, metrics);
    auto held = shedder.admit();
    shedder.admit();
    shedder.observe_loop_lag(250ms);
    shedder.admit();
    auto text = metrics.render_prometheus();
    EXPECT_NE(text.find(R"(inbox_http_shed_total{reason="in_flight"} 1)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"(inbox_http_shed_total{reason="loop_lag"} 1)"), std::string::npos) << text;
    EXPECT_NE(text.find("inbox_http_in_flight 1"), std::string::npos) << text;
    EXPECT_NE(text.find("inbox_event_loop_lag_seconds 0.25"), std::string::npos) << text;
}

}  // namespace
}  // namespace inbox::http
