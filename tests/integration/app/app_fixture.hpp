#pragma once
// Shared helpers for the tests that drive the real `whatsapp-inbox` binary: a server-ready environment, running
// subcommands, and a `serve` child process whose port is read from its "listening on" log line.
#include "child_process.hpp"
#include "raw_http.hpp"
#include "test_database.hpp"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace inbox::testing {

inline const std::string kBinary = INBOX_BINARY;
inline const std::string kJwtSecret = "app-test-jwt-secret-0123456789abcdef0123";
inline const std::string kAppSecret = "app-test-whatsapp-app-secret";  // WHATSAPP_APP_SECRET of server_env

// Everything `serve` needs, pointing at `database_url`; tests add or erase variables.
inline Environment server_env(const std::string& database_url) {
    return {{"DATABASE_URL", database_url},
            {"HOST", "127.0.0.1"},
            {"PORT", "0"},
            {"IO_THREADS", "2"},
            {"DB_POOL_SIZE", "2"},
            {"LOG_LEVEL", "info"},
            {"JWT_SECRET", kJwtSecret},
            {"MEDIA_URL_SECRET", "app-test-media-url-secret-0123456789abcdef"},
            {"WHATSAPP_APP_SECRET", kAppSecret},
            {"WHATSAPP_VERIFY_TOKEN", "app-test-verify-token"}};
}

inline ProcessResult cli(const std::vector<std::string>& args, const Environment& env,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return run_process(kBinary, args, env, timeout);
}

// A JWT for `user` minted by the binary's own `token` command.
inline std::string token_for(const std::string& user) {
    auto result = cli({"token", "--user", user, "--ttl", "600"}, {{"JWT_SECRET", kJwtSecret}});
    EXPECT_EQ(result.exit_code, 0) << result.describe();
    auto token = result.out;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    return token;
}

// Creates an account through the CLI and answers its id.
inline std::string add_account(const std::string& database_url, const std::string& name,
                               const std::string& phone_number_id) {
    auto result = cli({"account", "add", "--name", name, "--phone-number-id", phone_number_id, "--waba-id",
                       "waba-" + phone_number_id, "--access-token", "secret-token-" + phone_number_id},
                      {{"DATABASE_URL", database_url}});
    EXPECT_EQ(result.exit_code, 0) << result.describe();
    auto id = result.out;
    while (!id.empty() && id.back() == '\n') id.pop_back();
    return id;
}

// ../shared/fixtures/webhooks/text_message.json (INBOX_FIXTURES_DIR overrides where the fixtures are).
inline std::string text_fixture() {
    const char* dir = std::getenv("INBOX_FIXTURES_DIR");
    std::ifstream in(std::string(dir && *dir ? dir : INBOX_DEFAULT_FIXTURES_DIR) + "/webhooks/text_message.json");
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline bool is_uuid(const std::string& text) {
    static const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    return std::regex_match(text, kUuid);
}

// `whatsapp-inbox serve` on an ephemeral port.
class ServerProcess {
public:
    explicit ServerProcess(Environment env, std::vector<std::string> extra_args = {}) {
        std::vector<std::string> args{"serve"};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        // A private media directory, so nothing lands in the build tree.
        std::string dir_template = (std::filesystem::temp_directory_path() / "inbox-app-test-XXXXXX").string();
        if (::mkdtemp(dir_template.data())) {
            media_dir_ = dir_template;
            if (!env.count("MEDIA_DIR")) env["MEDIA_DIR"] = media_dir_ + "/media";
        }
        child_ = std::make_unique<ChildProcess>(kBinary, args, env);
        static const std::regex kListening(R"(listening on (\S+):(\d+) )");
        std::smatch match;
        auto line = child_->wait_for_stdout_line(
            [&](const std::string& text) { return std::regex_search(text, match, kListening); },
            std::chrono::seconds(20));
        if (line) {
            std::smatch parsed;
            std::regex_search(*line, parsed, kListening);
            port_ = static_cast<std::uint16_t>(std::stoi(parsed[2].str()));
        }
    }

    ~ServerProcess() {
        child_.reset();  // SIGKILLs a server the test did not stop
        std::error_code ignored;
        if (!media_dir_.empty()) std::filesystem::remove_all(media_dir_, ignored);
    }
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    bool started() const { return port_ != 0; }
    std::uint16_t port() const { return port_; }
    ChildProcess& process() { return *child_; }
    std::string output() const { return child_->stdout_text() + "\n--- stderr ---\n" + child_->stderr_text(); }

    // SIGTERM (or `signo`), then the exit within `timeout`.
    ProcessResult stop(int signo, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        child_->signal(signo);
        return child_->wait(timeout);
    }

private:
    std::unique_ptr<ChildProcess> child_;
    std::uint16_t port_ = 0;
    std::string media_dir_;
};

}  // namespace inbox::testing
