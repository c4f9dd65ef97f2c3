// parse_args: the option grammar every subcommand shares.
#include "inbox/app/cli_args.hpp"

#include <gtest/gtest.h>

namespace inbox::app {
namespace {

const std::vector<OptionSpec> kSpecs{{"name", true, true}, {"ttl"}, {"no-migrate", false}};

std::string usage_error(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs = kSpecs) {
    try {
        parse_args(args, specs);
        return "";
    } catch (const UsageError& error) {
        return error.what();
    }
}

TEST(AppCliArgs, ParsesValuesFlagsAndEqualsForm) {
    auto parsed = parse_args({"--name", "alice", "--ttl=60", "--no-migrate"}, kSpecs);
    EXPECT_FALSE(parsed.help());
    EXPECT_EQ(parsed.value("name"), "alice");
    EXPECT_EQ(parsed.required("name"), "alice");
    EXPECT_EQ(parsed.value("ttl"), "60");
    EXPECT_TRUE(parsed.flag("no-migrate"));
    EXPECT_FALSE(parsed.flag("name"));
    EXPECT_EQ(parsed.value("absent"), std::nullopt);
}

TEST(AppCliArgs, OptionalOptionsAndFlagsMayBeOmitted) {
    auto parsed = parse_args({"--name=bob"}, kSpecs);
    EXPECT_EQ(parsed.value("ttl"), std::nullopt);
    EXPECT_FALSE(parsed.flag("no-migrate"));
}

TEST(AppCliArgs, ValuesMayContainEqualsSignsAndDashes) {
    auto parsed = parse_args({"--name=a=b", "--ttl", "-5"}, kSpecs);
    EXPECT_EQ(parsed.value("name"), "a=b");
    EXPECT_EQ(parsed.value("ttl"), "-5");
}

TEST(AppCliArgs, LastValueWins) {
    EXPECT_EQ(parse_args({"--name", "a", "--name", "b"}, kSpecs).value("name"), "b");
}

TEST(AppCliArgs, UnknownOptionIsNamed) {
    EXPECT_EQ(usage_error({"--name", "a", "--bogus", "1"}), "unknown option --bogus");
    EXPECT_EQ(usage_error({"--bogus=1"}), "unknown option --bogus");
}

TEST(AppCliArgs, MissingValueIsNamed) {
    EXPECT_EQ(usage_error({"--name"}), "--name needs a value");
    EXPECT_EQ(usage_error({"--name", "a", "--ttl"}), "--ttl needs a value");
    EXPECT_EQ(usage_error({"--name="}), "--name must not be empty");
}

TEST(AppCliArgs, MissingRequiredOptionIsNamed) {
    EXPECT_EQ(usage_error({}), "missing --name");
    EXPECT_EQ(usage_error({"--ttl", "5"}), "missing --name");
}

TEST(AppCliArgs, FlagsTakeNoValue) { EXPECT_EQ(usage_error({"--name", "a", "--no-migrate=yes"}), "--no-migrate takes no value"); }

TEST(AppCliArgs, PositionalArgumentsAreRejected) {
    EXPECT_EQ(usage_error({"alice"}), "unexpected argument 'alice'");
    EXPECT_EQ(usage_error({"--name", "a", "-x"}), "unexpected argument '-x'");
    EXPECT_EQ(usage_error({"--"}), "unexpected argument '--'");
}

TEST(AppCliArgs, HelpShortCircuitsValidation) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--help"}, {"-h"}, {"--bogus", "--help"}, {"--name", "-h"}, {"--ttl", "--help"}}) {
        auto parsed = parse_args(args, kSpecs);
        EXPECT_TRUE(parsed.help());
        EXPECT_EQ(parsed.value("name"), std::nullopt);
    }
}

TEST(AppCliArgs, RequiredThrowsForAnAbsentOption) {
    auto parsed = parse_args({}, {{"user"}});
    EXPECT_THROW(parsed.required("user"), UsageError);
}

TEST(AppCliArgs, CommandsWithoutOptionsRejectAnyOption) {
    EXPECT_EQ(usage_error({"--verbose"}, {}), "unknown option --verbose");
    EXPECT_NO_THROW(parse_args({}, {}));
}

}  // namespace
}  // namespace inbox::app
