#include "fake_graph_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

namespace inbox::graph::testing {

FakeGraphProcess::FakeGraphProcess(std::vector<std::string> extra_args) {
    std::vector<std::string> args{FAKE_GRAPH_BINARY, "--port", "0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(out[1]);
    FILE* stdout_of_child = fdopen(out[0], "r");
    char line[256] = {};
    const bool got_line = std::fgets(line, sizeof line, stdout_of_child) != nullptr;
    std::fclose(stdout_of_child);  // the fake writes nothing else to stdout
    const std::string text = got_line ? line : "";
    constexpr std::string_view kPrefix = "listening on ";
    if (!text.starts_with(kPrefix)) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        throw std::runtime_error("fake-graph did not start: '" + text + "'");
    }
    base_url_ = text.substr(kPrefix.size());
    while (!base_url_.empty() && (base_url_.back() == '\n' || base_url_.back() == '\r')) base_url_.pop_back();
    port_ = static_cast<std::uint16_t>(std::stoi(base_url_.substr(base_url_.rfind(':') + 1)));
}

FakeGraphProcess::~FakeGraphProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
}

std::string FakeGraphProcess::base_url_as(const std::string& host) const {
    const auto scheme_end = base_url_.find("://") + 3;
    return base_url_.substr(0, scheme_end) + host + ":" + std::to_string(port_);
}

}  // namespace inbox::graph::testing
