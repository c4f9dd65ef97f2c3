#include "loadgen/cli.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inbox::loadgen {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(ParseDuration, UnitsAndBareSeconds) {
    EXPECT_EQ(parse_duration("30s"), 30s);
    EXPECT_EQ(parse_duration("500ms"), 500ms);
    EXPECT_EQ(parse_duration("2m"), 120s);
    EXPECT_EQ(parse_duration("1.5s"), 1500ms);
    EXPECT_EQ(parse_duration("10"), 10s);
    EXPECT_THROW(parse_duration("ten"), CliError);
    EXPECT_THROW(parse_duration("-1s"), CliError);
}

TEST(ParseCli, TheDocumentedCommandLine) {
    const Options options = parse_cli({"--target",        "http://127.0.0.1:8080",
                                       "--scenario",      "file.json",
                                       "--rate",          "2000",
                                       "--duration",      "30s",
                                       "--warmup",        "5s",
                                       "--connections",   "64",
                                       "--threads",       "2",
                                       "--json",          "out.json",
                                       "--var",           "token=a=b",
                                       "--var",           "account_id=1",
                                       "--seed",          "7",
                                       "--fail-on-errors"});
    EXPECT_EQ(options.target, "http://127.0.0.1:8080");
    EXPECT_EQ(options.rate, 2000);
    EXPECT_EQ(options.duration, 30s);
    EXPECT_EQ(options.warmup, 5s);
    EXPECT_EQ(options.timeout, 10s);  // the default
    EXPECT_EQ(options.connections, 64);
    EXPECT_EQ(options.threads, 2);
    EXPECT_EQ(options.json_out, "out.json");
    EXPECT_EQ(options.vars.at("token"), "a=b");
    EXPECT_EQ(options.seed, 7u);
    EXPECT_TRUE(options.fail_on_errors);
}

TEST(ParseCli, ClosedLoopTakesNoRate) {
    auto options = parse_cli({"--target", "http://127.0.0.1", "--scenario", "s.json", "--closed-loop", "--duration",
                              "2s", "--connections", "32"});
    EXPECT_TRUE(options.closed_loop);
    EXPECT_EQ(options.rate, 0);
    EXPECT_EQ(options.connections, 32);
}

TEST(ParseCli, ErrorsNameTheProblem) {
    auto error_of = [](std::vector<std::string_view> args) -> std::string {
        try {
            parse_cli(args);
        } catch (const CliError& e) {
            return e.what();
        }
        return "no error";
    };
    const std::vector<std::string_view> base = {"--target", "http://127.0.0.1", "--scenario", "s.json"};
    auto with = [&](std::vector<std::string_view> extra) {
        auto args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    };
    EXPECT_THAT(error_of(with({"--duration", "1s"})), HasSubstr("give either --rate or --closed-loop"));
    EXPECT_THAT(error_of(with({"--rate", "10", "--closed-loop", "--duration", "1s"})),
                HasSubstr("give either --rate or --closed-loop"));
    EXPECT_THAT(error_of(with({"--rate", "10"})), HasSubstr("--duration is required"));
    EXPECT_THAT(error_of(with({"--rate", "fast"})), HasSubstr("--rate: not a number"));
    EXPECT_THAT(error_of(with({"--rate", "10", "--duration", "1s", "--connections", "0"})), HasSubstr("--connections"));
    EXPECT_THAT(error_of(with({"--var", "novalue"})), HasSubstr("--var expects name=value"));
    EXPECT_THAT(error_of(with({"--bogus"})), HasSubstr("unknown option \"--bogus\""));
    EXPECT_THAT(error_of(with({"--rate"})), HasSubstr("--rate needs a value"));
}

}  // namespace
}  // namespace inbox::loadgen
