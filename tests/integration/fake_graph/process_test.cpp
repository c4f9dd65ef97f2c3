// The fake-graph binary as tests and load tests use it: a child process on a free port, stopped by SIGTERM.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "fake_graph_fixture.hpp"

namespace fake_graph::testing {
namespace {

using nlohmann::json;

// A running fake-graph; SIGKILLed on destruction unless stop() reaped it first.
class FakeGraphProcess {
public:
    explicit FakeGraphProcess(std::vector<std::string> args) {
        args.insert(args.begin(), FAKE_GRAPH_BINARY);
        int out[2];
        if (pipe(out) != 0) throw std::runtime_error("pipe failed");
        pid_ = fork();
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
        stdout_ = fdopen(out[0], "r");
        char line[256] = {};
        if (std::fgets(line, sizeof line, stdout_)) first_line_ = line;
    }
    ~FakeGraphProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (stdout_) std::fclose(stdout_);
    }

    const std::string& first_line() const { return first_line_; }
    std::uint16_t port() const { return static_cast<std::uint16_t>(std::stoi(first_line_.substr(first_line_.rfind(':') + 1))); }
    pid_t pid() const { return pid_; }

    // Sends `signal` and returns the exit status (-1 when it did not exit normally).
    int stop(int signal = SIGTERM) {
        kill(pid_, signal);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

private:
    pid_t pid_ = -1;
    FILE* stdout_ = nullptr;
    std::string first_line_;
};

// Peak resident memory of a process, from /proc.
std::uint64_t peak_rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6));
    }
    return 0;
}

TEST(FakeGraphProcess, PrintsItsPortAndExitsCleanlyOnSigterm) {
    FakeGraphProcess fake({"--port", "0"});
    ASSERT_TRUE(fake.first_line().starts_with("listening on http://127.0.0.1:")) << fake.first_line();
    HttpTestClient client("127.0.0.1", fake.port());
    EXPECT_EQ(client.get("/_control/health").status, 200);
    EXPECT_EQ(fake.stop(SIGTERM), 0);
}

TEST(FakeGraphProcess, ExitsCleanlyOnSigint) {
    FakeGraphProcess fake({"--port", "0", "--threads", "4"});
    ASSERT_FALSE(fake.first_line().empty());
    EXPECT_EQ(fake.stop(SIGINT), 0);
}

TEST(FakeGraphProcess, AppliesTheConfigFileAndFlags) {
    const auto config_path = std::filesystem::temp_directory_path() / ("fake-graph-" + std::to_string(getpid()) + ".json");
    std::ofstream(config_path) << json{{"expired_media", {"old"}},
                                       {"families", {{"messages", {{"jitter_ms", 1}}}}},
                                       {"templates", {{{"name", "welcome"}, {"body_text", "Hi {{1}}"}}}},
                                       {"contacts", {{"1555", "Ada"}}}}
                                          .dump();
    FakeGraphProcess fake({"--port", "0", "--config", config_path.string(), "--latency-ms", "120"});
    std::filesystem::remove(config_path);
    ASSERT_FALSE(fake.first_line().empty());
    HttpTestClient client("127.0.0.1", fake.port());

    EXPECT_EQ(client.get("/v21.0/old", kToken).json()["error"]["error_subcode"], 33);
    EXPECT_EQ(client.get("/v21.0/W/message_templates", kToken).json()["data"][0]["name"], "welcome");
    const auto contact = client.get("/contacts-lookup/1555", kToken);
    EXPECT_EQ(contact.json()["profile_name"], "Ada");
    EXPECT_GE(contact.elapsed, std::chrono::milliseconds(120));
    const auto knobs = client.get("/_control/knobs").json();
    EXPECT_EQ(knobs["families"]["messages"]["jitter_ms"], 1);  // the file's other knobs survive the flag
    EXPECT_EQ(knobs["families"]["messages"]["latency_ms"], 120);

    // Reset returns to the start-up configuration, not to an empty fake.
    client.post("/_control/knobs", {{"expired_media", json::array()}});
    client.post("/_control/reset", json::object());
    EXPECT_EQ(client.get("/v21.0/old", kToken).status, 400);
    EXPECT_EQ(fake.stop(), 0);
}

TEST(FakeGraphProcess, RefusesABadFlagWithExitCode2) {
    FakeGraphProcess fake({"--port", "not-a-port"});
    EXPECT_TRUE(fake.first_line().empty());
    EXPECT_EQ(fake.stop(0), 2);  // signal 0: just reap it
}

// Growth of the peak resident size from a 1 MiB download to a 48 MiB one: what streaming must keep flat. Under
// ASan the child frees into a 1 MiB quarantine (not the default 256 MiB, which would hold every chunk it sent).
TEST(FakeGraphProcess, StreamsLargeMediaWithoutHoldingIt) {
    constexpr std::uint64_t kSmall = 1024 * 1024;
    constexpr std::uint64_t kLarge = 48ULL * 1024 * 1024;
#if defined(__SANITIZE_ADDRESS__)
    const char* inherited = std::getenv("ASAN_OPTIONS");
    const std::string asan_options = std::string(inherited ? inherited : "") + ":quarantine_size_mb=1";
    setenv("ASAN_OPTIONS", asan_options.c_str(), 1);
#endif
    FakeGraphProcess fake({"--port", "0"});
    HttpTestClient client("127.0.0.1", fake.port());
    client.post("/_control/knobs", {{"media", {{"small", {{"size", kSmall}}}, {"big", {{"size", kLarge}}}}}});
    const auto host = "127.0.0.1:" + std::to_string(fake.port());
    const auto small_meta = client.get("/v21.0/small", kToken).json();
    ASSERT_EQ(client.download(target_of(small_meta["url"], host), kToken).status, 200);
    const auto baseline_kib = peak_rss_kib(fake.pid());
    const auto meta = client.get("/v21.0/big", kToken).json();
    const auto bytes = client.download(target_of(meta["url"], host), kToken);
    ASSERT_EQ(bytes.status, 200) << bytes.error;
    EXPECT_EQ(bytes.size, kLarge);
    EXPECT_EQ(bytes.sha256_hex, meta["sha256"]);
    EXPECT_LT(peak_rss_kib(fake.pid()) - baseline_kib, 16u * 1024)
        << "the fake's peak RSS grew with the file (baseline " << baseline_kib << " KiB)";
    EXPECT_EQ(fake.stop(), 0);
}

}  // namespace
}  // namespace fake_graph::testing
