// Media metadata and streamed downloads against fake-graph.
#include "graph_fixture.hpp"

namespace inbox::graph::testing {
namespace {

class MediaTest : public GraphTest {
protected:
    MediaMeta meta_of(const std::string& media_id) {
        const auto meta = run(graph().get_media_meta(media_id, kToken));
        EXPECT_TRUE(meta) << media_id;
        return meta ? meta.value() : MediaMeta{};
    }
};

TEST_F(MediaTest, MetaThenDownloadWithMatchingSha256AndSize) {
    const auto meta = meta_of("4490709327384033");
    EXPECT_EQ(meta.mime_type, "image/jpeg");
    EXPECT_EQ(meta.file_size, 65536u);
    TempPath file;
    const auto download = run(graph().download_media(meta.url, kToken, file.path(), 1 << 20));
    ASSERT_TRUE(download);
    EXPECT_EQ(download.value().bytes, meta.file_size);
    EXPECT_EQ(download.value().sha256_hex, meta.sha256);
    EXPECT_EQ(download.value().content_type, "image/jpeg");
    EXPECT_EQ(file_size_of(file.path()), meta.file_size);
}

TEST_F(MediaTest, TwentyMegabytesStreamToTheFile) {
    constexpr std::uint64_t kSize = 20ULL * 1024 * 1024;
    control().knobs({{"media", {{"big", {{"size", kSize}, {"mime_type", "video/mp4"}}}}}});
    const auto meta = meta_of("big");
    ASSERT_EQ(meta.file_size, kSize);
    TempPath file;
    const auto download = run(graph().download_media(meta.url, kToken, file.path(), 32ULL * 1024 * 1024));
    ASSERT_TRUE(download) << (download.unavailable() ? download.unavailable()->reason : download.refused()->title);
    EXPECT_EQ(download.value().bytes, kSize);
    EXPECT_EQ(download.value().sha256_hex, meta.sha256);
    EXPECT_EQ(file_size_of(file.path()), kSize);
}

TEST_F(MediaTest, AWrongAdvertisedSha256IsDetectable) {
    control().knobs({{"media", {{"bad", {{"wrong_sha256", true}}}}}});
    const auto meta = meta_of("bad");
    TempPath file;
    const auto download = run(graph().download_media(meta.url, kToken, file.path(), 1 << 20));
    ASSERT_TRUE(download);
    EXPECT_EQ(download.value().bytes, meta.file_size);
    EXPECT_NE(download.value().sha256_hex, meta.sha256);
}

TEST_F(MediaTest, AnExpiredMediaIdIsExpired) {
    control().knobs({{"expired_media", {"old"}}});
    const auto meta = run(graph().get_media_meta("old", kToken));
    EXPECT_TRUE(meta.expired());
    ASSERT_TRUE(meta.refused());
    EXPECT_EQ(meta.refused()->code, 100);
    EXPECT_EQ(meta.refused()->subcode, 33);
    EXPECT_EQ(graph().breaker(GraphFamily::media).state(), BreakerState::closed);
}

TEST_F(MediaTest, ADownloadOfMediaThatExpiredMeanwhileIsExpired) {
    const auto meta = meta_of("soon-gone");
    control().knobs({{"expired_media", {"soon-gone"}}});
    TempPath file;
    EXPECT_TRUE(run(graph().download_media(meta.url, kToken, file.path(), 1 << 20)).expired());
    EXPECT_FALSE(std::filesystem::exists(file.path()));
}

TEST_F(MediaTest, HostsOutsideTheAllowListAreRefusedWithoutACall) {
    const auto meta = meta_of("7");
    auto url = meta.url;
    url.replace(url.find("127.0.0.1"), 9, "localhost");  // same server, a host name not in the list
    TempPath file;
    const auto download = run(graph().download_media(url, kToken, file.path(), 1 << 20));
    ASSERT_TRUE(download.refused());
    EXPECT_EQ(download.refused()->title, "media host not allowed");
    EXPECT_TRUE(run(graph().download_media("https://evil.example/x", kToken, file.path(), 1 << 20)).refused());
    EXPECT_EQ(control().requests("media_download"), 0u);
    EXPECT_FALSE(std::filesystem::exists(file.path()));
}

TEST_F(MediaTest, MediaOverTheLimitIsRefusedAndLeavesNoFile) {
    const auto meta = meta_of("8");
    TempPath file;
    const auto download = run(graph().download_media(meta.url, kToken, file.path(), 1000));
    ASSERT_TRUE(download.refused());
    EXPECT_EQ(download.refused()->title, "media too large");
    EXPECT_FALSE(std::filesystem::exists(file.path()));
    EXPECT_EQ(graph().breaker(GraphFamily::media).state(), BreakerState::closed);
}

TEST_F(MediaTest, DownloadsReuseTheKeepAliveConnection) {
    const auto before = control().connections_accepted();
    for (int i = 0; i < 5; ++i) {
        const auto meta = meta_of("m" + std::to_string(i));
        TempPath file;
        ASSERT_TRUE(run(graph().download_media(meta.url, kToken, file.path(), 1 << 20)));
    }
    EXPECT_EQ(control().connections_accepted() - before, 1u);
}

}  // namespace
}  // namespace inbox::graph::testing
