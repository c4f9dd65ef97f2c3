// The `whatsapp-inbox` subcommands as ops use them: exit codes, what goes to stdout and stderr.
#include "app_fixture.hpp"

#include <filesystem>

namespace inbox::testing {
namespace {

std::size_t migration_file_count() {
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(INBOX_MIGRATIONS_DIR)) {
        if (entry.is_regular_file() && entry.path().extension() == ".sql") ++count;
    }
    return count;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    if (start < text.size()) lines.push_back(text.substr(start));
    return lines;
}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

TEST(AppCli, EverySubcommandAnswersHelpWithoutAnyConfiguration) {
    const std::vector<std::vector<std::string>> commands{
        {"--help"},           {"-h"},        {"help"},
        {"serve", "--help"},  {"migrate", "--help"},
        {"account", "--help"}, {"account", "add", "--help"}, {"account", "list", "--help"},
        {"member", "--help"}, {"member", "add", "--help"},    {"token", "--help"},
        // --help short-circuits validation of the other arguments.
        {"account", "add", "--name", "--help"}, {"token", "--bogus", "-h"}};
    for (const auto& args : commands) {
        auto result = cli(args, {});
        std::string shown;
        for (const auto& arg : args) shown += arg + " ";
        EXPECT_EQ(result.exit_code, 0) << shown << result.describe();
        EXPECT_TRUE(result.out.starts_with("usage:")) << shown << result.describe();
        EXPECT_EQ(result.err, "") << shown;
    }
}

TEST(AppCli, NoCommandPrintsUsageAndExits2) {
    auto result = cli({}, {});
    EXPECT_EQ(result.exit_code, 2) << result.describe();
    EXPECT_NE(result.out.find("usage:"), std::string::npos);
}

TEST(AppCli, UnknownCommandsAndOptionsExit2WithAClearFirstLine) {
    struct Case {
        std::vector<std::string> args;
        std::string first_line_part;
    };
    const std::vector<Case> cases{{{"frobnicate"}, "unknown command 'frobnicate'"},
                                  {{"account", "delete"}, "unknown command 'account delete'"},
                                  {{"member", "promote"}, "unknown command 'member promote'"},
                                  {{"member", "remove"}, "missing --account"},
                                  {{"account"}, ""},
                                  {{"migrate", "--bogus"}, "unknown option --bogus"},
                                  {{"serve", "--port"}, "--port needs a value"},
                                  {{"token"}, "missing --user"},
                                  {{"token", "--user", "u1", "--ttl", "0"}, "--ttl"},
                                  {{"token", "--user", "u1", "--ttl", "soon"}, "--ttl"},
                                  {{"member", "add", "--account", "x"}, "missing --user"},
                                  {{"account", "add", "--name", "n"}, "missing --"}};
    for (const auto& c : cases) {
        auto result = cli(c.args, {{"JWT_SECRET", kJwtSecret}});
        EXPECT_EQ(result.exit_code, 2) << c.args[0] << " " << result.describe();
        if (!c.first_line_part.empty()) {
            EXPECT_TRUE(result.err_first_line().starts_with("error: ")) << result.describe();
            EXPECT_NE(result.err_first_line().find(c.first_line_part), std::string::npos) << result.describe();
        }
    }
}

TEST(AppCli, MissingDatabaseUrlExits2NamingIt) {
    const std::vector<std::vector<std::string>> commands{
        {"migrate"},
        {"account", "list"},
        {"account", "add", "--name", "A", "--phone-number-id", "1", "--waba-id", "2", "--access-token", "t"},
        {"member", "add", "--account", "00000000-0000-4000-8000-000000000000", "--user", "u"},
        {"serve"}};
    auto env = server_env("");
    env.erase("DATABASE_URL");
    for (const auto& args : commands) {
        auto result = cli(args, env);
        EXPECT_EQ(result.exit_code, 2) << args[0] << " " << result.describe();
        EXPECT_TRUE(result.err_first_line().starts_with("error: configuration: DATABASE_URL:")) << result.describe();
        EXPECT_EQ(result.out, "");
    }
}

TEST(AppCli, ServeWithoutWhatsappAppSecretExits2NamingIt) {
    auto env = server_env("postgresql://127.0.0.1:1/none");
    env.erase("WHATSAPP_APP_SECRET");
    auto result = cli({"serve"}, env);
    EXPECT_EQ(result.exit_code, 2) << result.describe();
    EXPECT_TRUE(result.err_first_line().starts_with("error: configuration: WHATSAPP_APP_SECRET:")) << result.describe();
    EXPECT_NE(result.err_first_line().find("INBOX_DEV_MODE"), std::string::npos) << result.describe();
}

TEST(AppCli, ServeRejectsBadConfigurationBeforeTouchingTheDatabase) {
    struct Case {
        std::string variable;
        std::string value;
    };
    const std::vector<Case> cases{{"PORT", "http"},          {"PORT", "70000"},      {"IO_THREADS", "-1"},
                                  {"DB_POOL_SIZE", "0"},     {"LOG_LEVEL", "loud"},  {"LOG_FORMAT", "xml"},
                                  {"REDIS_URL", "http://x"}, {"HOST", "localhost"},  {"JWT_SECRET", "short"},
                                  {"INBOX_DEV_MODE", "maybe"}};
    for (const auto& c : cases) {
        auto env = server_env("postgresql://127.0.0.1:1/none");
        env[c.variable] = c.value;
        auto result = cli({"serve"}, env);
        EXPECT_EQ(result.exit_code, 2) << c.variable << "=" << c.value << " " << result.describe();
        EXPECT_TRUE(result.err_first_line().starts_with("error: configuration: " + c.variable + ":"))
            << result.describe();
    }
}

TEST(AppCli, ServeFlagsOverrideTheEnvironment) {
    // --port replaces an invalid PORT; the configuration error then comes from the flag value itself.
    auto env = server_env("postgresql://127.0.0.1:1/none");
    env["PORT"] = "not-a-port";
    env.erase("WHATSAPP_APP_SECRET");  // stops start-up right after the port was accepted
    auto result = cli({"serve", "--port", "0"}, env);
    EXPECT_EQ(result.exit_code, 2) << result.describe();
    EXPECT_TRUE(result.err_first_line().starts_with("error: configuration: WHATSAPP_APP_SECRET:")) << result.describe();

    result = cli({"serve", "--host=not-an-ip"}, server_env("postgresql://127.0.0.1:1/none"));
    EXPECT_EQ(result.exit_code, 2) << result.describe();
    EXPECT_TRUE(result.err_first_line().starts_with("error: configuration: HOST:")) << result.describe();
}

TEST(AppCli, MigrateTwiceAppliesEverythingOnceThenNothing) {
    TestDatabase db(/*migrate=*/false);
    Environment env{{"DATABASE_URL", db.url()}};
    auto files = migration_file_count();
    ASSERT_GT(files, 0u);

    auto first = cli({"migrate"}, env);
    ASSERT_EQ(first.exit_code, 0) << first.describe();
    EXPECT_NE(first.err.find("migrations: " + std::to_string(files) + " applied"), std::string::npos)
        << first.describe();
    EXPECT_EQ(db.query_value("SELECT count(*) FROM schema_migrations"), std::to_string(files));

    auto second = cli({"migrate"}, env);
    ASSERT_EQ(second.exit_code, 0) << second.describe();
    EXPECT_NE(second.err.find("migrations: 0 applied"), std::string::npos) << second.describe();
    EXPECT_EQ(db.query_value("SELECT count(*) FROM schema_migrations"), std::to_string(files));
    EXPECT_EQ(db.query_value("SELECT to_regclass('accounts')::text"), "accounts");
}

TEST(AppCli, MigrateAgainstAnUnreachableDatabaseFailsWithExit1) {
    ClosedPort closed;
    auto result = cli({"migrate"}, {{"DATABASE_URL", "postgresql://postgres@127.0.0.1:" +
                                                         std::to_string(closed.port()) + "/inbox"}});
    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_TRUE(result.err_first_line().starts_with("error: ")) << result.describe();
    EXPECT_LT(result.elapsed, std::chrono::seconds(15));
}

TEST(AppCli, AccountAddPrintsOnlyTheIdAndListShowsNoSecrets) {
    TestDatabase db;
    Environment env{{"DATABASE_URL", db.url()}};
    auto added = cli({"account", "add", "--name", "Acme Support", "--phone-number-id", "106540352242922",
                      "--waba-id", "102290129340398", "--access-token", "EAAG-very-secret-token",
                      "--display-phone-number", "15550783881", "--default-template", "reengage:en_US"},
                     env);
    ASSERT_EQ(added.exit_code, 0) << added.describe();
    auto lines = lines_of(added.out);
    ASSERT_EQ(lines.size(), 1u) << added.out;
    auto acme_id = lines[0];
    EXPECT_TRUE(is_uuid(acme_id)) << acme_id;
    EXPECT_EQ(added.out, acme_id + "\n");
    EXPECT_EQ(db.query_value("SELECT default_template_name || ':' || default_template_language FROM accounts"),
              "reengage:en_US");

    // --x=y form, no display number.
    auto second = cli({"account", "add", "--name=Beta", "--phone-number-id=200", "--waba-id=300",
                       "--access-token=EAAG-other-secret"},
                      env);
    ASSERT_EQ(second.exit_code, 0) << second.describe();
    auto beta_id = trimmed(second.out);
    EXPECT_TRUE(is_uuid(beta_id)) << second.out;

    auto listed = cli({"account", "list"}, env);
    ASSERT_EQ(listed.exit_code, 0) << listed.describe();
    EXPECT_EQ(listed.out.find("EAAG"), std::string::npos) << listed.out;
    EXPECT_EQ(listed.err.find("EAAG"), std::string::npos) << listed.err;
    EXPECT_EQ(listed.out.find("access_token"), std::string::npos) << listed.out;
    auto rows = lines_of(listed.out);
    ASSERT_EQ(rows.size(), 2u) << listed.out;
    auto acme = nlohmann::json::parse(rows[0]);
    EXPECT_EQ(acme, nlohmann::json({{"id", acme_id},
                                    {"name", "Acme Support"},
                                    {"phone_number_id", "106540352242922"},
                                    {"waba_id", "102290129340398"},
                                    {"display_phone_number", "15550783881"},
                                    {"read_receipts", "on_reply"},
                                    {"default_template", "reengage:en_US"}}));
    auto beta = nlohmann::json::parse(rows[1]);
    EXPECT_EQ(beta["id"], beta_id);
    EXPECT_EQ(beta["name"], "Beta");
    EXPECT_EQ(beta["phone_number_id"], "200");
    EXPECT_EQ(beta["waba_id"], "300");
    EXPECT_TRUE(beta.contains("display_phone_number"));
    EXPECT_TRUE(beta["display_phone_number"].is_null());
    // The token is stored, just never shown.
    EXPECT_EQ(db.query_value("SELECT access_token FROM accounts WHERE name = 'Beta'"), "EAAG-other-secret");
}

TEST(AppCli, AccountListOnAnEmptyDatabasePrintsNothing) {
    TestDatabase db;
    auto listed = cli({"account", "list"}, {{"DATABASE_URL", db.url()}});
    EXPECT_EQ(listed.exit_code, 0) << listed.describe();
    EXPECT_EQ(listed.out, "");
}

TEST(AppCli, DuplicatePhoneNumberIdFailsWithAClearMessage) {
    TestDatabase db;
    Environment env{{"DATABASE_URL", db.url()}};
    add_account(db.url(), "First", "555000111");
    auto duplicate = cli({"account", "add", "--name", "Second", "--phone-number-id", "555000111", "--waba-id", "w",
                          "--access-token", "EAAG-dup-secret"},
                         env);
    EXPECT_NE(duplicate.exit_code, 0) << duplicate.describe();
    EXPECT_EQ(duplicate.out, "");
    auto first_line = duplicate.err_first_line();
    EXPECT_TRUE(first_line.starts_with("error: ")) << duplicate.describe();
    EXPECT_NE(first_line.find("already exists"), std::string::npos) << duplicate.describe();
    EXPECT_NE(first_line.find("phone_number_id"), std::string::npos) << duplicate.describe();
    EXPECT_EQ(duplicate.err.find("EAAG-dup-secret"), std::string::npos) << duplicate.describe();
    EXPECT_EQ(db.query_value("SELECT count(*) FROM accounts"), "1");
}

TEST(AppCli, BadDefaultTemplateExits2AndCreatesNothing) {
    TestDatabase db;
    for (const std::string bad : {"bad", ":en_US", "name:"}) {
        auto result = cli({"account", "add", "--name", "N", "--phone-number-id", "1", "--waba-id", "2",
                           "--access-token", "t", "--default-template", bad},
                          {{"DATABASE_URL", db.url()}});
        EXPECT_EQ(result.exit_code, 2) << bad << " " << result.describe();
        EXPECT_NE(result.err_first_line().find("--default-template"), std::string::npos) << result.describe();
        EXPECT_EQ(result.out, "");
    }
    EXPECT_EQ(db.query_value("SELECT count(*) FROM accounts"), "0");
}

TEST(AppCli, MemberAddForUnknownAccountFailsClearly) {
    TestDatabase db;
    Environment env{{"DATABASE_URL", db.url()}};
    for (const std::string account : {"00000000-0000-4000-8000-000000000000", "not-a-uuid"}) {
        auto result = cli({"member", "add", "--account", account, "--user", "alice"}, env);
        EXPECT_NE(result.exit_code, 0) << result.describe();
        EXPECT_NE(result.exit_code, 2) << "a missing account is not a usage error: " << result.describe();
        EXPECT_TRUE(result.err_first_line().starts_with("error: ")) << result.describe();
        EXPECT_NE(result.err_first_line().find(account), std::string::npos) << result.describe();
        EXPECT_NE(result.err_first_line().find("does not exist"), std::string::npos) << result.describe();
    }
    EXPECT_EQ(db.query_value("SELECT count(*) FROM account_members"), "0");
}

TEST(AppCli, MemberAddIsIdempotent) {
    TestDatabase db;
    Environment env{{"DATABASE_URL", db.url()}};
    auto id = add_account(db.url(), "Acme", "777");
    for (int i = 0; i < 2; ++i) {
        auto result = cli({"member", "add", "--account", id, "--user", "alice"}, env);
        EXPECT_EQ(result.exit_code, 0) << result.describe();
        EXPECT_EQ(result.out, "");
    }
    EXPECT_EQ(db.query_value("SELECT count(*) FROM account_members WHERE user_id = 'alice'"), "1");
}

TEST(AppCli, MemberRolesRemovalAndListing) {
    TestDatabase db;
    Environment env{{"DATABASE_URL", db.url()}};
    auto id = add_account(db.url(), "Acme", "778");
    ASSERT_EQ(cli({"member", "add", "--account", id, "--user", "alice", "--role", "admin"}, env).exit_code, 0);
    ASSERT_EQ(cli({"member", "add", "--account", id, "--user", "bob"}, env).exit_code, 0);
    // Adding again without a role keeps the role; with one, sets it.
    ASSERT_EQ(cli({"member", "add", "--account", id, "--user", "alice"}, env).exit_code, 0);
    EXPECT_EQ(db.query_value("SELECT role FROM account_members WHERE user_id = 'alice'"), "admin");
    ASSERT_EQ(cli({"member", "add", "--account", id, "--user", "bob", "--role", "admin"}, env).exit_code, 0);
    ASSERT_EQ(cli({"member", "add", "--account", id, "--user", "bob", "--role", "agent"}, env).exit_code, 0);

    auto bad_role = cli({"member", "add", "--account", id, "--user", "carol", "--role", "owner"}, env);
    EXPECT_EQ(bad_role.exit_code, 2) << bad_role.describe();
    EXPECT_NE(bad_role.err_first_line().find("--role"), std::string::npos) << bad_role.describe();

    auto listed = cli({"member", "list", "--account", id}, env);
    ASSERT_EQ(listed.exit_code, 0) << listed.describe();
    std::istringstream lines(listed.out);
    std::vector<nlohmann::json> members;
    for (std::string line; std::getline(lines, line);) members.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(members.size(), 2u) << listed.out;
    EXPECT_EQ(members[0]["user_id"], "alice");
    EXPECT_EQ(members[0]["role"], "admin");
    EXPECT_EQ(members[1]["user_id"], "bob");
    EXPECT_EQ(members[1]["role"], "agent");
    EXPECT_TRUE(members[0]["created_at"].get<std::string>().ends_with("Z"));

    ASSERT_EQ(cli({"member", "remove", "--account", id, "--user", "bob"}, env).exit_code, 0);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM account_members"), "1");
    auto again = cli({"member", "remove", "--account", id, "--user", "bob"}, env);
    EXPECT_EQ(again.exit_code, 1) << again.describe();
    EXPECT_NE(again.err_first_line().find("is not a member"), std::string::npos) << again.describe();
    auto unknown = cli({"member", "list", "--account", "00000000-0000-4000-8000-000000000000"}, env);
    EXPECT_EQ(unknown.exit_code, 1) << unknown.describe();
    EXPECT_NE(unknown.err_first_line().find("does not exist"), std::string::npos) << unknown.describe();
    for (const char* sub : {"remove", "list"}) {
        auto help = cli({"member", sub, "--help"}, {});
        EXPECT_EQ(help.exit_code, 0) << help.describe();
        EXPECT_NE(help.out.find("usage: whatsapp-inbox member"), std::string::npos) << help.describe();
    }
}

TEST(AppCli, TokenPrintsAThreePartJwt) {
    auto result = cli({"token", "--user", "alice", "--ttl", "60"}, {{"JWT_SECRET", kJwtSecret}});
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    auto token = trimmed(result.out);
    EXPECT_EQ(result.out, token + "\n");
    static const std::regex kJwt(R"([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)");
    EXPECT_TRUE(std::regex_match(token, kJwt)) << token;
    // Default TTL also works, and no database is needed.
    EXPECT_EQ(cli({"token", "--user", "bob"}, {{"JWT_SECRET", kJwtSecret}}).exit_code, 0);
}

TEST(AppCli, TokenWithoutOrWithAShortJwtSecretExits2NamingIt) {
    for (const Environment& env : {Environment{}, Environment{{"JWT_SECRET", "too-short"}}}) {
        auto result = cli({"token", "--user", "alice", "--ttl", "60"}, env);
        EXPECT_EQ(result.exit_code, 2) << result.describe();
        EXPECT_TRUE(result.err_first_line().starts_with("error: configuration: JWT_SECRET:")) << result.describe();
        EXPECT_EQ(result.out, "");
    }
}

}  // namespace
}  // namespace inbox::testing
