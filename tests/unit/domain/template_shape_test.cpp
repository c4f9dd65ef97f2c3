#include "inbox/domain/template_shape.hpp"

#include <gtest/gtest.h>

namespace inbox::domain {
namespace {

// Meta's components for a template with every part that takes a parameter.
constexpr const char* kOrderUpdate = R"([
  {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW1hZ2U="]}},
  {"type": "BODY", "text": "Hi {{1}}, your order {{2}} is on its way. Thanks, {{1}}!"},
  {"type": "FOOTER", "text": "Reply STOP to opt out"},
  {"type": "BUTTONS", "buttons": [
     {"type": "QUICK_REPLY", "text": "Thanks"},
     {"type": "URL", "text": "Track", "url": "https://example.com/track/{{1}}"},
     {"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+15550100"},
     {"type": "COPY_CODE", "example": "SAVE10"}]}
])";

TemplateValues order_update_values() {
    TemplateValues values;
    values.header = TemplateHeaderValue{std::nullopt, "6f1c2b1e-0000-4000-8000-000000000001"};
    values.body = {"Sheena", "#1234"};
    values.buttons = {{1, "1234"}, {3, "SAVE10"}};
    return values;
}

TEST(TemplateShape, CountsCountsOfEveryComponent) {
    const auto shape = template_shape_of(kOrderUpdate, "");
    EXPECT_EQ(shape.header_format, HeaderFormat::image);
    EXPECT_EQ(shape.header_parameters, 1);
    EXPECT_EQ(shape.body_parameters, 2);
    EXPECT_EQ(shape.body_text, "Hi {{1}}, your order {{2}} is on its way. Thanks, {{1}}!");
    ASSERT_EQ(shape.buttons.size(), 4U);
    EXPECT_EQ(shape.buttons[0].type, "QUICK_REPLY");
    EXPECT_EQ(shape.buttons[0].parameter_count, 0);
    EXPECT_EQ(shape.buttons[1].index, 1);
    EXPECT_EQ(shape.buttons[1].parameter_count, 1);
    EXPECT_EQ(shape.buttons[2].parameter_count, 0);
    EXPECT_EQ(shape.buttons[3].type, "COPY_CODE");
    EXPECT_EQ(shape.buttons[3].parameter_count, 1);
}

TEST(TemplateShape, ATextHeaderTakesAParameterOnlyWithAPlaceholder) {
    EXPECT_EQ(template_shape_of(R"([{"type":"HEADER","format":"TEXT","text":"Order {{1}}"}])", "").header_parameters, 1);
    const auto fixed = template_shape_of(R"([{"type":"HEADER","format":"TEXT","text":"Your order"}])", "");
    EXPECT_EQ(fixed.header_format, HeaderFormat::text);
    EXPECT_EQ(fixed.header_parameters, 0);
    // A URL button without a placeholder takes nothing either.
    const auto url = template_shape_of(R"([{"type":"BUTTONS","buttons":[{"type":"URL","url":"https://x.test/"}]}])", "");
    ASSERT_EQ(url.buttons.size(), 1U);
    EXPECT_EQ(url.buttons[0].parameter_count, 0);
}

TEST(TemplateShape, WithoutComponentsTheStoredBodyIsTheShape) {
    const auto shape = template_shape_of("", "Hello {{1}} and {{2}}");
    EXPECT_EQ(shape.header_format, HeaderFormat::none);
    EXPECT_EQ(shape.body_parameters, 2);
    EXPECT_TRUE(shape.buttons.empty());
    EXPECT_EQ(template_shape_of("not json", "Hi").body_text, "Hi");
    // Junk inside the array is skipped, not fatal.
    EXPECT_EQ(template_shape_of(R"([1, "x", {"type":"BODY","text":"{{1}}"}, {"type":"CAROUSEL"}])", "").body_parameters,
              1);
}

TEST(TemplateShape, CountsDistinctPlaceholders) {
    EXPECT_EQ(count_template_placeholders("Hi {{1}}, {{2}} and {{1}}"), 2);
    EXPECT_EQ(count_template_placeholders("No parameters"), 0);
    EXPECT_EQ(count_template_placeholders("{{x}} {{0}} {{ 1}} {{3"), 0);
}

TEST(TemplateValues, ExactValuesFit) {
    EXPECT_EQ(template_values_problem(template_shape_of(kOrderUpdate, ""), order_update_values()), std::nullopt);
}

TEST(TemplateValues, EachMismatchNamesItsComponent) {
    const auto shape = template_shape_of(kOrderUpdate, "");
    auto values = order_update_values();
    values.header.reset();
    EXPECT_EQ(template_values_problem(shape, values), "header: this template's IMAGE header needs {\"upload_id\": \"...\"}");

    values = order_update_values();
    values.header = TemplateHeaderValue{"text", std::nullopt};
    EXPECT_EQ(template_values_problem(shape, values).value_or("").substr(0, 7), "header:");

    values = order_update_values();
    values.body = {"Sheena"};
    EXPECT_EQ(template_values_problem(shape, values), "body: this template takes 2 parameters, 1 given");

    values = order_update_values();
    values.body = {"Sheena", " \n\t "};
    EXPECT_EQ(template_values_problem(shape, values), "body: parameter 2 is blank");

    values = order_update_values();
    values.buttons = {{1, "1234"}};
    EXPECT_EQ(template_values_problem(shape, values),
              "buttons: this template takes a parameter for the buttons at index 1, 3, in that order");

    values = order_update_values();
    values.buttons = {{0, "x"}, {1, "1234"}, {3, "SAVE10"}};  // a quick reply takes no parameter here
    EXPECT_NE(template_values_problem(shape, values), std::nullopt);
}

TEST(TemplateValues, AHeaderWithoutParameterTakesNone) {
    const auto shape = template_shape_of(R"([{"type":"HEADER","format":"TEXT","text":"Hello"},{"type":"BODY","text":"Hi"}])", "");
    TemplateValues values;
    EXPECT_EQ(template_values_problem(shape, values), std::nullopt);
    values.header = TemplateHeaderValue{"Hello", std::nullopt};
    EXPECT_EQ(template_values_problem(shape, values), "header: this template's header takes no parameter (send null)");
}

TEST(TemplateValues, TextLimitsAreMetas) {
    const auto shape = template_shape_of(R"([{"type":"HEADER","format":"TEXT","text":"Order {{1}}"},{"type":"BODY","text":"{{1}}"}])", "");
    TemplateValues values;
    values.header = TemplateHeaderValue{std::string(61, 'x'), std::nullopt};
    values.body = {"ok"};
    EXPECT_EQ(template_values_problem(shape, values), "header: text must be at most 60 characters");
    values.header->text = std::string(60, 'x');
    EXPECT_EQ(template_values_problem(shape, values), std::nullopt);
    values.body = {std::string(1025, 'y')};
    EXPECT_EQ(template_values_problem(shape, values), "body: the filled body must be at most 1024 characters");
}

TEST(TemplateValues, LocationHeadersAreRefused) {
    const auto shape = template_shape_of(R"([{"type":"HEADER","format":"LOCATION"},{"type":"BODY","text":"Here"}])", "");
    EXPECT_NE(template_values_problem(shape, {}), std::nullopt);
}

TEST(FilledTemplateBody, ReplacesEachPlaceholderWithItsValueAsSent) {
    EXPECT_EQ(filled_template_body("Hi {{1}}, order {{2}}. Bye {{1}}!", {"Sheena", "#1234"}),
              "Hi Sheena, order #1234. Bye Sheena!");
    // Values go out as template parameters: line breaks and runs of spaces folded.
    EXPECT_EQ(filled_template_body("[{{1}}]", {" a\n\nb  c "}), "[a b c]");
    // A placeholder without a value, or not a placeholder at all, stays.
    EXPECT_EQ(filled_template_body("{{1}} {{2}} {{x}} {{", {"a"}), "a {{2}} {{x}} {{");
    EXPECT_EQ(filled_template_body("", {}), "");
}

}  // namespace
}  // namespace inbox::domain
