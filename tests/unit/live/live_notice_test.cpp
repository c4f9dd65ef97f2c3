#include "inbox/storage/live_notice.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace inbox::storage {
namespace {

std::string fake_id(int i) {
    auto digits = std::to_string(i);
    return "00000000-0000-4000-8000-" + std::string(12 - digits.size(), '0') + digits;
}

TEST(LiveNoticeTest, RoundTripsThroughOnePayload) {
    LiveNotice notice{"acc", {fake_id(1)}, {fake_id(2), fake_id(3)}, {fake_id(4)}};
    auto payloads = encode_live_notice(notice);
    ASSERT_EQ(payloads.size(), 1u);
    auto decoded = decode_live_notice(payloads[0]);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->account_id, "acc");
    EXPECT_EQ(decoded->created_message_ids, notice.created_message_ids);
    EXPECT_EQ(decoded->updated_message_ids, notice.updated_message_ids);
    EXPECT_EQ(decoded->conversation_ids, notice.conversation_ids);
}

TEST(LiveNoticeTest, QueuedJobsAreToldSoRunnersWakeOnlyForThem) {
    LiveNotice with_jobs{"acc", {fake_id(1)}, {}, {fake_id(2)}, true};
    auto decoded = decode_live_notice(encode_live_notice(with_jobs).at(0));
    ASSERT_TRUE(decoded);
    EXPECT_TRUE(decoded->jobs_queued);

    LiveNotice without{"acc", {fake_id(1)}, {}, {fake_id(2)}};
    auto payload = encode_live_notice(without).at(0);
    EXPECT_EQ(payload.find("jobs"), std::string::npos) << payload;
    EXPECT_FALSE(decode_live_notice(payload)->jobs_queued);
}

TEST(LiveNoticeTest, NoticesFoldPerAccountInTheOrderTheyCommitted) {
    std::vector<LiveNotice> heard{
        {"acc-b", {fake_id(1)}, {}, {fake_id(10)}},
        {"acc-a", {fake_id(2)}, {}, {fake_id(20)}, true},
        {"acc-b", {fake_id(3)}, {fake_id(1)}, {fake_id(10)}},  // then message 1 changed (a status)
        {"acc-b", {}, {fake_id(1), fake_id(3)}, {fake_id(11)}},
    };
    auto merged = merge_by_account(heard);
    ASSERT_EQ(merged.size(), 2u);
    EXPECT_EQ(merged[0].account_id, "acc-b");  // the account heard first comes first
    EXPECT_EQ(merged[0].created_message_ids, (std::vector<std::string>{fake_id(1), fake_id(3)}));
    EXPECT_EQ(merged[0].updated_message_ids, (std::vector<std::string>{fake_id(1), fake_id(3)}));
    EXPECT_EQ(merged[0].conversation_ids, (std::vector<std::string>{fake_id(10), fake_id(11)}));
    EXPECT_FALSE(merged[0].jobs_queued);
    EXPECT_EQ(merged[1].account_id, "acc-a");
    EXPECT_EQ(merged[1].created_message_ids, (std::vector<std::string>{fake_id(2)}));
    EXPECT_TRUE(merged[1].updated_message_ids.empty());
    EXPECT_TRUE(merged[1].jobs_queued);
    EXPECT_TRUE(merge_by_account({}).empty());
}

TEST(LiveNoticeTest, AnEmptyNoticeSendsNothing) { EXPECT_TRUE(encode_live_notice({"acc", {}, {}, {}}).empty()); }

TEST(LiveNoticeTest, ManyIdsAreSplitAcrossPayloadsThatFitInANotify) {
    LiveNotice notice{"00000000-0000-4000-8000-000000000000", {}, {}, {}};
    for (int i = 0; i < 400; ++i) notice.created_message_ids.push_back(fake_id(i));
    for (int i = 0; i < 5; ++i) notice.conversation_ids.push_back(fake_id(1000 + i));
    auto payloads = encode_live_notice(notice);
    ASSERT_GT(payloads.size(), 1u);
    LiveNotice merged{"", {}, {}, {}};
    for (const auto& payload : payloads) {
        EXPECT_LT(payload.size(), 8000u);  // Postgres rejects longer NOTIFY payloads
        auto part = decode_live_notice(payload);
        ASSERT_TRUE(part);
        EXPECT_EQ(part->account_id, notice.account_id);
        merged.created_message_ids.insert(merged.created_message_ids.end(), part->created_message_ids.begin(),
                                          part->created_message_ids.end());
        merged.conversation_ids.insert(merged.conversation_ids.end(), part->conversation_ids.begin(),
                                       part->conversation_ids.end());
    }
    EXPECT_EQ(merged.created_message_ids, notice.created_message_ids);
    EXPECT_EQ(merged.conversation_ids, notice.conversation_ids);
}

TEST(LiveNoticeTest, ForeignPayloadsAreNotNotices) {
    EXPECT_FALSE(decode_live_notice("hello"));
    EXPECT_FALSE(decode_live_notice("[1,2]"));
    EXPECT_FALSE(decode_live_notice(R"({"created":["x"]})"));
    auto lenient = decode_live_notice(R"({"account_id":"a","created":"not a list","updated":[1,"u"]})");
    ASSERT_TRUE(lenient);
    EXPECT_TRUE(lenient->created_message_ids.empty());
    EXPECT_EQ(lenient->updated_message_ids, std::vector<std::string>{"u"});
}

}  // namespace
}  // namespace inbox::storage
