#include "inbox/http/json_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>

namespace inbox::http {
namespace {

using nlohmann::json;

TEST(JsonWriterTest, PlacesCommasBetweenMembersAndElementsOfNestedContainers) {
    JsonWriter out;
    out.begin_object()
        .key("a").number(1)
        .key("b").begin_array().string("x").null().boolean(false).begin_object().end_object().end_array()
        .key("c").begin_object().key("d").number(-7).end_object()
        .key("e").raw(R"({"k": [1, 2]})")
        .end_object();
    EXPECT_EQ(out.take(), R"({"a":1,"b":["x",null,false,{}],"c":{"d":-7},"e":{"k": [1, 2]}})");
}

TEST(JsonWriterTest, OptionalsAreNullWhenEmpty) {
    JsonWriter out;
    out.begin_array()
        .string(std::optional<std::string>{})
        .string(std::optional<std::string>{"s"})
        .number(std::optional<std::int64_t>{})
        .number(std::optional<std::int64_t>{42})
        .end_array();
    EXPECT_EQ(out.take(), R"([null,"s",null,42])");
}

TEST(JsonWriterTest, TakeLeavesAnEmptyWriterForTheNextDocument) {
    JsonWriter out;
    out.begin_array().number(1).end_array();
    EXPECT_EQ(out.take(), "[1]");
    out.begin_array().number(2).end_array();
    EXPECT_EQ(out.take(), "[2]");
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
    constexpr char kSample[] = "q\" b\\ n\n t\t r\r \b \f nul\0 us\x1f del\x7f";
    std::string out;
    append_json_string(out, std::string(kSample, sizeof kSample - 1));
    EXPECT_EQ(out, R"("q\" b\\ n\n t\t r\r \b \f nul\u0000 us\u001f del)" "\x7f" R"(")");
}

TEST(JsonWriterTest, KeepsValidUtf8AndReplacesInvalidBytesLikeNlohmannDoes) {
    const std::vector<std::string> samples = {
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",  // é € 😀
        "bad \xff byte", "lone continuation \x80", "truncated \xe2\x82", "overlong \xc0\xaf",
        "surrogate \xed\xa0\x80", "above max \xf4\x90\x80\x80", "ends with lead \xf0",
    };
    for (const auto& sample : samples) {
        std::string ours;
        append_json_string(ours, sample);
        const auto theirs = json(sample).dump(-1, ' ', false, json::error_handler_t::replace);
        EXPECT_EQ(json::parse(ours), json::parse(theirs)) << sample;
    }
}

// Any byte string: our text parses, and equals what nlohmann writes with invalid UTF-8 replaced.
TEST(JsonWriterTest, RandomByteStringsRoundTripThroughAJsonParser) {
    std::mt19937 random(20261125);
    std::uniform_int_distribution<int> byte(0, 255), length(0, 24);
    for (int i = 0; i < 5000; ++i) {
        std::string sample(static_cast<std::size_t>(length(random)), '\0');
        for (auto& c : sample) c = static_cast<char>(byte(random));
        std::string ours;
        append_json_string(ours, sample);
        const auto theirs = json(sample).dump(-1, ' ', false, json::error_handler_t::replace);
        ASSERT_EQ(json::parse(ours), json::parse(theirs)) << ours;
    }
}

}  // namespace
}  // namespace inbox::http
