#include "loadgen/wamid.hpp"

#include <gtest/gtest.h>

#include <set>

namespace inbox::loadgen {
namespace {

TEST(FindWamidValues, FindsIdMembersWithWamidValuesOnly) {
    const std::string text =
        R"({"id": "102290129340398", "messages": [{"id":"wamid.AAA=", "context": {"id" :  "wamid.B"}}],)"
        R"( "wa_id": "wamid.not-an-id-key"})";
    const auto spans = find_wamid_values(text);
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(text.substr(spans[0].offset, spans[0].length), "wamid.AAA=");
    EXPECT_EQ(text.substr(spans[1].offset, spans[1].length), "wamid.B");
}

TEST(FindWamidValues, IgnoresUnterminatedValue) { EXPECT_TRUE(find_wamid_values(R"({"id": "wamid.ABC)").empty()); }

TEST(MakeUniqueWamid, DiffersBySequenceSlotAndRun) {
    std::set<std::string> seen;
    for (std::uint64_t run : {1u, 2u}) {
        for (std::uint64_t seq = 0; seq < 100; ++seq) {
            for (std::size_t slot = 0; slot < 3; ++slot) {
                const std::string wamid = make_unique_wamid(run, seq, slot);
                EXPECT_EQ(wamid.rfind("wamid.", 0), 0u);
                EXPECT_TRUE(seen.insert(wamid).second) << wamid;
            }
        }
    }
}

}  // namespace
}  // namespace inbox::loadgen
