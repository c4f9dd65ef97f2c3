// Media metadata and streamed downloads of fake-graph.
#include "fake_graph_fixture.hpp"

namespace fake_graph::testing {
namespace {

using nlohmann::json;

class MediaTest : public FakeGraphTest {
protected:
    json meta(const std::string& media_id, const std::string& bearer = kToken) {
        const auto result = client().get(std::string("/") + kVersion + "/" + media_id, bearer);
        EXPECT_EQ(result.status, 200) << result.body << result.error;
        return result.status == 200 ? result.json() : json();
    }
    DownloadResult download(const json& meta, const std::string& bearer = kToken) {
        return client().download(target_of(meta["url"].get<std::string>(), authority()), bearer);
    }
};

TEST_F(MediaTest, MetaUrlDownloadsWithTheTokenAndAnswers401Without) {
    const auto m = meta("1234567890");
    EXPECT_EQ(m["messaging_product"], "whatsapp");
    EXPECT_EQ(m["id"], "1234567890");
    EXPECT_EQ(m["mime_type"], "image/jpeg");
    EXPECT_EQ(m["file_size"], 64 * 1024);
    EXPECT_TRUE(m["url"].get<std::string>().starts_with("http://" + authority() + "/media-download/1234567890?token="));

    EXPECT_EQ(download(m).status, 200);
    const auto without = download(m, "");
    EXPECT_EQ(without.status, 401);
    EXPECT_EQ(json::parse(without.body)["error"]["code"], 190);
    EXPECT_EQ(download(m, "another-apps-token").status, 401);
}

TEST_F(MediaTest, DownloadedBytesMatchTheAdvertisedSha256) {
    control("knobs", {{"media", {{"empty", {{"size", 0}}}, {"odd", {{"size", 65537}}}, {"one", {{"size", 1}}}}}});
    for (const std::string id : {"1234567890", "empty", "odd", "one"}) {
        const auto m = meta(id);
        const auto bytes = download(m);
        ASSERT_EQ(bytes.status, 200) << id << bytes.error;
        EXPECT_EQ(bytes.size, m["file_size"].get<std::uint64_t>()) << id;
        EXPECT_EQ(bytes.sha256_hex, m["sha256"]) << id;
        EXPECT_EQ(bytes.content_type, "image/jpeg");
    }
    EXPECT_EQ(download(meta("1234567890")).sha256_hex, download(meta("1234567890")).sha256_hex);
    EXPECT_NE(meta("1234567890")["sha256"], meta("1234567891")["sha256"]);
}

TEST_F(MediaTest, LargeMediaStreamsInFull) {
    constexpr std::uint64_t kSize = 20 * 1024 * 1024;
    control("knobs", {{"media", {{"big-video", {{"size", kSize}, {"mime_type", "video/mp4"}}}}}});
    const auto m = meta("big-video");
    EXPECT_EQ(m["mime_type"], "video/mp4");
    const auto bytes = download(m);
    ASSERT_EQ(bytes.status, 200) << bytes.error;
    EXPECT_EQ(bytes.size, kSize);
    EXPECT_EQ(bytes.sha256_hex, m["sha256"]);
    EXPECT_EQ(control_get("stats")["media_bytes_sent"], kSize);
}

TEST_F(MediaTest, ExpiredMediaIdAnswersCode100Subcode33) {
    const auto url = meta("999")["url"].get<std::string>();
    control("knobs", {{"expired_media", {"999"}}});
    for (const auto& result : {client().get("/v21.0/999", kToken), client().get(target_of(url, authority()), kToken)}) {
        EXPECT_EQ(result.status, 400);
        const auto error = result.json()["error"];
        EXPECT_EQ(error["code"], 100);
        EXPECT_EQ(error["error_subcode"], 33);
        EXPECT_TRUE(error["message"].get<std::string>().starts_with("Unsupported get request. Object with ID '999'"));
        EXPECT_EQ(error["error_data"]["messaging_product"], "whatsapp");
        EXPECT_TRUE(error.contains("fbtrace_id"));
    }
}

TEST_F(MediaTest, WrongSha256KnobAdvertisesAMismatchingDigest) {
    control("knobs", {{"media", {{"tampered", {{"wrong_sha256", true}}}}}});
    const auto m = meta("tampered");
    const auto bytes = download(m);
    ASSERT_EQ(bytes.status, 200);
    EXPECT_EQ(m["sha256"].get<std::string>().size(), 64u);
    EXPECT_NE(bytes.sha256_hex, m["sha256"]);
}

TEST_F(MediaTest, Sha256CanBeAdvertisedInBase64) {
    control("knobs", {{"media_defaults", {{"sha256_base64", true}, {"mime_type", "audio/ogg"}}}});
    const auto m = meta("voice-note");
    EXPECT_EQ(m["sha256"].get<std::string>().size(), 44u);
    EXPECT_EQ(m["mime_type"], "audio/ogg");
}

TEST_F(MediaTest, DownloadFailureKnobsApplyToTheDownloadOnly) {
    const auto m = meta("1");
    set_failure("media_download", {{"status", 500}, {"code", 131000}, {"count", 1}});
    const auto failed = download(m);
    EXPECT_EQ(failed.status, 500);
    EXPECT_EQ(json::parse(failed.body)["error"]["code"], 131000);
    EXPECT_EQ(download(m).status, 200);
}

}  // namespace
}  // namespace fake_graph::testing
