#pragma once
// An inbox fixture whose server talks to the fake Graph API, run as one child process per test suite and reset
// before every test.
#include "fake_graph_control.hpp"
#include "fake_graph_process.hpp"
#include "inbox_fixture.hpp"

namespace inbox::testing {

class FakeGraphTest : public InboxFixture {
protected:
    explicit FakeGraphTest(const InboxServerOptions& options) : InboxFixture(options) { fake_control.reset(); }

    static void SetUpTestSuite() {
        if (!fake_) fake_ = new graph::testing::FakeGraphProcess();
    }
    static void TearDownTestSuite() {
        delete fake_;
        fake_ = nullptr;
    }
    // The server's options with the fake as its Graph API.
    static InboxServerOptions fake_graph_options() {
        InboxServerOptions options;
        options.graph_base = fake_->base_url();
        return options;
    }

    static inline graph::testing::FakeGraphProcess* fake_ = nullptr;
    FakeGraphControl fake_control{fake_->port()};
};

}  // namespace inbox::testing
