#include "inbox/domain/outbound_text.hpp"

#include <gtest/gtest.h>

#include "inbox/domain/utf8.hpp"

namespace inbox::domain {
namespace {

std::string repeat(std::string_view piece, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += piece;
    return out;
}

TEST(Utf8Length, CountsCodePointsNotBytes) {
    EXPECT_EQ(utf8_length(""), 0u);
    EXPECT_EQ(utf8_length("abc"), 3u);
    EXPECT_EQ(utf8_length("\xC3\xA9\xF0\x9F\x91\x8D"), 2u);  // é👍
}

TEST(TextProblem, AcceptsOneTo4096Characters) {
    EXPECT_EQ(text_problem("a"), std::nullopt);
    EXPECT_EQ(text_problem(std::string(4096, 'a')), std::nullopt);
    EXPECT_NE(text_problem(std::string(4097, 'a')), std::nullopt);
}

TEST(TextProblem, CountsCharactersAsMetaDoesNotBytes) {
    const auto emoji = repeat("\xF0\x9F\x91\x8D", 4096);  // 16 KiB, 4096 characters
    EXPECT_EQ(text_problem(emoji), std::nullopt);
    EXPECT_NE(text_problem(emoji + "a"), std::nullopt);
}

TEST(TextProblem, RefusesEmptyAndBlankText) {
    EXPECT_EQ(text_problem(""), "text must not be empty");
    EXPECT_EQ(text_problem(" \t\r\n"), "text must not be only white space");
    EXPECT_EQ(text_problem(" x "), std::nullopt);
}

TEST(TextProblem, RefusesNulCharacters) {
    using namespace std::string_literals;
    auto problem = text_problem("hello\0world"s);
    ASSERT_TRUE(problem);
    EXPECT_NE(problem->find("NUL"), std::string::npos);
}

TEST(TemplateParameterText, FoldsLineBreaksTabsAndRunsOfSpaces) {
    EXPECT_EQ(template_parameter_text("Hello\nthere,\t\tfriend     !"), "Hello there, friend !");
    EXPECT_EQ(template_parameter_text("  trimmed \n"), "trimmed");
    EXPECT_EQ(template_parameter_text("plain"), "plain");
    EXPECT_EQ(template_parameter_text("caf\xC3\xA9 ok"), "caf\xC3\xA9 ok");
}

TEST(FillTemplateBody, ReplacesEveryPlaceholderOne) {
    EXPECT_EQ(fill_template_body("Hi! {{1}}", "Your order shipped"), "Hi! Your order shipped");
    EXPECT_EQ(fill_template_body("{{1}} and again {{1}}", "x"), "x and again x");
    EXPECT_EQ(fill_template_body("No placeholder", "x"), "No placeholder");
}

TEST(FillTemplateBody, AParameterThatLooksLikeAPlaceholderIsNotExpandedAgain) {
    EXPECT_EQ(fill_template_body("A {{1}} B", "{{1}}"), "A {{1}} B");
}

}  // namespace
}  // namespace inbox::domain
