// fake-graph: a fake WhatsApp Graph API on loopback for integration and load tests. See docs/FAKE_GRAPH.md.
#include <csignal>
#include <iostream>
#include <pthread.h>

#include "fake_graph/cli.hpp"
#include "fake_graph/server.hpp"

int main(int argc, char** argv) {
    // Block the stop signals before any thread exists, so every thread inherits the mask and sigwait gets them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    try {
        const auto options = fake_graph::parse_command_line({argv + 1, argv + argc});
        if (!options) {
            std::cout << fake_graph::kUsage;
            return 0;
        }
        fake_graph::Server server(*options);
        std::cout << "listening on " << server.base_url() << std::endl;  // endl flushes: a parent waits for it

        int signal = 0;
        sigwait(&stop_signals, &signal);
        server.stop();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "fake-graph: " << e.what() << "\n" << fake_graph::kUsage;
        return 2;
    }
}
