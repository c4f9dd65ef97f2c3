#include "inbox/app/cli.hpp"

#include "inbox/api/json_views.hpp"
#include "inbox/app/application.hpp"
#include "inbox/app/cli_args.hpp"
#include "inbox/app/config.hpp"
#include "inbox/auth/jwt.hpp"
#include "inbox/observability/logging.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/storage/account_repository.hpp"
#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/migrations.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <iostream>
#include <string>
#include <vector>

namespace inbox::app {
namespace {

constexpr const char* kUsage = R"(usage: whatsapp-inbox <command> [options]

commands:
  serve [--host H] [--port P] [--no-migrate]   apply pending migrations, then serve; drains on SIGTERM/SIGINT
  migrate                                       apply pending migrations and exit
  account add --name N --phone-number-id P --waba-id W --access-token T
              [--display-phone-number D] [--default-template NAME:LANG]
                                                create an account; prints its id
  account list                                  one JSON object per line, without secrets
  member add --account ID --user U [--role admin|agent]
                                                let user U (a JWT sub) use account ID (role: agent unless given)
  member remove --account ID --user U           take account ID away from user U (ends U's event streams)
  member list --account ID                      the account's members, one JSON object per line
  token --user U [--ttl SECONDS]                print a JWT for U signed with JWT_SECRET (default TTL 3600 s)

Configuration comes from the environment (see README.md); flags override it.
Every command answers --help.
)";

struct Command {
    const char* usage;
    std::vector<OptionSpec> options;
};

void configure_cli_logging(const Config& config) {
    observability::configure_logging(config.log_level, config.log_format == LogFormat::json
                                                           ? observability::LogStyle::json
                                                           : observability::LogStyle::text);
}

// Commands that only touch the database: configuration (DATABASE_URL only), logging and one connection.
template <typename Fn>
int with_database(Fn fn) {
    auto config = load_config(process_environment(), false);
    configure_cli_logging(config);
    observability::MetricsRegistry metrics;
    storage::DbPool db({.url = config.database_url, .size = 1, .acquire_timeout = std::chrono::seconds(30)}, metrics);
    fn(db);
    return 0;
}

unsigned parse_unsigned(const std::string& option, const std::string& text, unsigned min, unsigned max) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
        throw UsageError("--" + option + " must be an integer from " + std::to_string(min) + " to " +
                         std::to_string(max));
    }
    return value;
}

int cmd_serve(const std::vector<std::string>& args) {
    Command command{"whatsapp-inbox serve [--host H] [--port P] [--no-migrate]",
                    {{"host"}, {"port"}, {"no-migrate", false}}};
    auto parsed = parse_args(args, command.options);
    if (parsed.help()) {
        std::cout << "usage: " << command.usage
                  << "\n\nApplies pending migrations (unless --no-migrate), then serves HTTP until SIGTERM/SIGINT.\n";
        return 0;
    }
    auto env = process_environment();
    auto overridden = [&](const std::string& name) -> std::optional<std::string> {
        if (name == "HOST" && parsed.value("host")) return parsed.value("host");
        if (name == "PORT" && parsed.value("port")) return parsed.value("port");
        return env(name);
    };
    auto config = load_config(overridden, /*require_server_secrets=*/true);
    configure_cli_logging(config);
    Application application(std::move(config));
    return application.serve({.migrate = !parsed.flag("no-migrate")});
}

int cmd_migrate(const std::vector<std::string>& args) {
    auto parsed = parse_args(args, {});
    if (parsed.help()) {
        std::cout << "usage: whatsapp-inbox migrate\n\nApplies pending migrations from this binary and exits.\n";
        return 0;
    }
    return with_database([](storage::DbPool& db) {
        auto applied = db.run_sync([](storage::DbConnection& connection) {
            return storage::apply_migrations(connection.raw(), storage::embedded_migrations());
        });
        std::cerr << "migrations: " << applied.size() << " applied, schema up to date\n";
    });
}

int cmd_account_add(const std::vector<std::string>& args) {
    Command command{
        "whatsapp-inbox account add --name N --phone-number-id P --waba-id W --access-token T "
        "[--display-phone-number D] [--default-template NAME:LANG]",
        {{"name", true, true},
         {"phone-number-id", true, true},
         {"waba-id", true, true},
         {"access-token", true, true},
         {"display-phone-number"},
         {"default-template"}}};
    auto parsed = parse_args(args, command.options);
    if (parsed.help()) {
        std::cout << "usage: " << command.usage << "\n\nCreates an account and prints its id (only the id).\n";
        return 0;
    }
    domain::NewAccount account{parsed.required("name"), parsed.required("phone-number-id"),
                               parsed.required("waba-id"), parsed.required("access-token"),
                               parsed.value("display-phone-number"), std::nullopt};
    if (auto value = parsed.value("default-template")) {
        auto colon = value->find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == value->size()) {
            throw UsageError("--default-template must be NAME:LANG, e.g. reengage:en_US");
        }
        account.default_template = domain::TemplateRef{value->substr(0, colon), value->substr(colon + 1)};
    }
    return with_database([&](storage::DbPool& db) { std::cout << storage::AccountRepository(db).create(account) << '\n'; });
}

int cmd_account_list(const std::vector<std::string>& args) {
    auto parsed = parse_args(args, {});
    if (parsed.help()) {
        std::cout << "usage: whatsapp-inbox account list\n\nPrints one JSON object per account, without secrets.\n";
        return 0;
    }
    return with_database([](storage::DbPool& db) {
        for (const auto& account : storage::AccountRepository(db).list_all()) {
            std::cout << api::account_json(account) << '\n';
        }
    });
}

int cmd_member_add(const std::vector<std::string>& args) {
    Command command{"whatsapp-inbox member add --account ID --user U [--role admin|agent]",
                    {{"account", true, true}, {"user", true, true}, {"role"}}};
    auto parsed = parse_args(args, command.options);
    if (parsed.help()) {
        std::cout << "usage: " << command.usage
                  << "\n\nLets user U (a JWT sub) use account ID as an agent, or with the role given. Adding an existing\n"
                     "member sets the role given and keeps it otherwise.\n";
        return 0;
    }
    auto role = parsed.value("role");
    if (role && *role != "admin" && *role != "agent") throw UsageError("--role must be admin or agent, got '" + *role + "'");
    return with_database([&](storage::DbPool& db) {
        storage::AccountRepository(db).add_member(parsed.required("account"), parsed.required("user"), role);
    });
}

int cmd_member_remove(const std::vector<std::string>& args) {
    Command command{"whatsapp-inbox member remove --account ID --user U", {{"account", true, true}, {"user", true, true}}};
    auto parsed = parse_args(args, command.options);
    if (parsed.help()) {
        std::cout << "usage: " << command.usage
                  << "\n\nTakes account ID away from user U; U's open event streams of it end within seconds.\n";
        return 0;
    }
    return with_database([&](storage::DbPool& db) {
        storage::AccountRepository(db).remove_member(parsed.required("account"), parsed.required("user"));
    });
}

int cmd_member_list(const std::vector<std::string>& args) {
    Command command{"whatsapp-inbox member list --account ID", {{"account", true, true}}};
    auto parsed = parse_args(args, command.options);
    if (parsed.help()) {
        std::cout << "usage: " << command.usage << "\n\nPrints one JSON object per member: user_id, role, created_at.\n";
        return 0;
    }
    return with_database([&](storage::DbPool& db) {
        for (const auto& member : storage::AccountRepository(db).members(parsed.required("account"))) {
            std::cout << nlohmann::json{{"user_id", member.user_id}, {"role", member.role},
                                        {"created_at", member.created_at}}
                             .dump()
                      << '\n';
        }
    });
}

int cmd_token(const std::vector<std::string>& args) {
    Command command{"whatsapp-inbox token --user U [--ttl SECONDS]", {{"user", true, true}, {"ttl"}}};
    auto parsed = parse_args(args, command.options);
    if (parsed.help()) {
        std::cout << "usage: " << command.usage << "\n\nPrints a JWT for U signed with JWT_SECRET (default TTL 3600 s).\n";
        return 0;
    }
    unsigned ttl = 3600;
    if (auto value = parsed.value("ttl")) ttl = parse_unsigned("ttl", *value, 1, 366 * 24 * 3600);
    auto secret = process_environment()("JWT_SECRET");
    if (!secret || secret->size() < 32) throw ConfigError("JWT_SECRET: is required (at least 32 characters)");
    std::cout << auth::mint_jwt(*secret, parsed.required("user"), std::chrono::seconds(ttl),
                                std::chrono::system_clock::now())
              << '\n';
    return 0;
}

int dispatch(const std::vector<std::string>& argv) {
    if (argv.empty() || argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help") {
        std::cout << kUsage;
        return argv.empty() ? 2 : 0;
    }
    const auto& name = argv[0];
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (name == "serve") return cmd_serve(rest);
    if (name == "migrate") return cmd_migrate(rest);
    if (name == "token") return cmd_token(rest);
    if (name == "account" || name == "member") {
        if (rest.empty() || rest[0] == "--help" || rest[0] == "-h") {
            std::cout << kUsage;
            return rest.empty() ? 2 : 0;
        }
        std::vector<std::string> sub_args(rest.begin() + 1, rest.end());
        if (name == "account" && rest[0] == "add") return cmd_account_add(sub_args);
        if (name == "account" && rest[0] == "list") return cmd_account_list(sub_args);
        if (name == "member" && rest[0] == "add") return cmd_member_add(sub_args);
        if (name == "member" && rest[0] == "remove") return cmd_member_remove(sub_args);
        if (name == "member" && rest[0] == "list") return cmd_member_list(sub_args);
        throw UsageError("unknown command '" + name + " " + rest[0] + "'");
    }
    throw UsageError("unknown command '" + name + "'");
}

}  // namespace

int run_cli(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        return dispatch(args);
    } catch (const UsageError& error) {
        std::cerr << "error: " << error.what() << "\n(run whatsapp-inbox --help for usage)\n";
        return 2;
    } catch (const ConfigError& error) {
        std::cerr << "error: configuration: " << error.what() << '\n';
        return 2;
    } catch (const storage::AccountNotFound& error) {
        std::cerr << "error: " << error.what() << '\n';
        return 1;
    } catch (const storage::MemberNotFound& error) {
        std::cerr << "error: " << error.what() << '\n';
        return 1;
    } catch (const pqxx::unique_violation& error) {
        std::cerr << "error: already exists: " << error.what() << '\n';
        return 1;
    } catch (const std::exception& error) {
        std::cerr << "error: " << error.what() << '\n';
        return 1;
    }
}

}  // namespace inbox::app
