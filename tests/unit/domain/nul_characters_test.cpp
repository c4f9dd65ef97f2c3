#include "inbox/domain/nul_characters.hpp"

#include <gtest/gtest.h>

namespace inbox::domain {
namespace {

using nlohmann::json;

TEST(NulCharacters, EveryStringAndKeyLosesItsNulCharacters) {
    auto document = json::parse(R"({"a\u0000b": ["x\u0000y", {"t": "\u0000\u0000"}], "n": 1, "s": "clean"})");
    EXPECT_EQ(replace_nul_characters(document), 4u);
    EXPECT_EQ(document.dump().find("\\u0000"), std::string::npos) << document.dump();
    EXPECT_EQ(document["a\xEF\xBF\xBD"
                       "b"][0],
              "x\xEF\xBF\xBDy");
    EXPECT_EQ(document["a\xEF\xBF\xBD"
                       "b"][1]["t"],
              "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(document["n"], 1);
    EXPECT_EQ(document["s"], "clean");
}

TEST(NulCharacters, ADocumentWithoutThemIsUntouched) {
    auto document = json::parse(R"({"entry": [{"id": "1", "changes": []}], "object": "whatsapp_business_account"})");
    const auto before = document;
    EXPECT_EQ(replace_nul_characters(document), 0u);
    EXPECT_EQ(document, before);
}

}  // namespace
}  // namespace inbox::domain
