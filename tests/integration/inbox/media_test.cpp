// Media (API.md "Media") on a real server, database and media directory, against the fake Graph API run as a child
// process: 202 then 302, the bytes, one download however many ask, stored media without Graph calls, URL expiry,
// digest mismatches, expired ids, signed URLs with Range/HEAD/304/416, the host allow-list, and check-media's
// debounce (in one process and across two sharing Redis).
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "fake_graph_test.hpp"
#include "inbox/auth/sha256.hpp"
#include "inbox/auth/url_signer.hpp"
#include "inbox/services/inbox_cache_keys.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class MediaTest : public FakeGraphTest {
protected:
    explicit MediaTest(InboxServerOptions options = with_fake()) : FakeGraphTest(options) {}

    static InboxServerOptions with_fake() {
        auto options = fake_graph_options();
        options.graph_timeout = 3s;
        return options;
    }

    // An inbound image message of account A whose media is not downloaded yet (as webhook processing stores it).
    std::string media_message(const std::string& media_id, const std::string& account = "") {
        const auto owner = account.empty() ? account_a : account;
        if (conversation_.empty() || !account.empty()) conversation_ = add_conversation(owner);
        return add_message(owner, conversation_,
                           {.type = "image",
                            .body = std::nullopt,
                            .wa_message_id = "wamid.media." + media_id,
                            .extra_columns = ", media_id, media_mime_type, media_state",
                            .extra_values = ", '" + media_id + "', 'image/jpeg', 'pending'"});
    }
    RawResponse media(const std::string& message_id, const std::string& query = "", const std::string& token = "") {
        return get("/messages/media/" + message_id + query, token.empty() ? alice : token);
    }
    // Waits (long-polling) until the media answers something other than 202.
    RawResponse settled(const std::string& message_id) {
        RawResponse response;
        for (int i = 0; i < 5; ++i) {
            response = media(message_id, "?wait=5");
            if (response.status != 202) break;
        }
        return response;
    }
    // The signed URL's target, fetched without a bearer token.
    RawResponse fetch(const std::string& location, const std::string& method = "GET",
                      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        return http_request(server_.port(), method, location, headers);
    }
    // The bytes as the fake Graph serves them (metadata, then its URL with the same token).
    std::string fake_bytes(const std::string& media_id) {
        const std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer direct"}};
        auto meta = json::parse(http_request(fake_->port(), "GET", "/v21.0/" + media_id, auth).body);
        auto url = meta["url"].get<std::string>();
        return http_request(fake_->port(), "GET", url.substr(url.find("/media-download/")), auth).body;
    }
    std::size_t calls(const std::string& family) { return fake_control.requests(family).size(); }
    std::string media_column(const std::string& id, const std::string& column) {
        return db.query_value("SELECT " + column + " FROM messages WHERE id = '" + id + "'");
    }

    std::string conversation_;
};

TEST_F(MediaTest, TheFirstRequestIs202ThenA302ToTheSameBytesAsMetas) {
    auto id = media_message("media-first");
    auto first = media(id);
    ASSERT_EQ(first.status, 202) << first.body;
    EXPECT_EQ(json_of(first), json({{"status", "pending"}}));
    EXPECT_EQ(first.header("Retry-After"), "1");

    auto stored = settled(id);
    ASSERT_EQ(stored.status, 302) << stored.body;
    const auto location = stored.header("Location");
    ASSERT_TRUE(location.starts_with("/media/")) << location;
    EXPECT_NE(location.find("expires="), std::string::npos);
    EXPECT_NE(location.find("sig="), std::string::npos);

    auto bytes = fetch(location);
    ASSERT_EQ(bytes.status, 200) << bytes.body;
    EXPECT_EQ(bytes.header("Content-Type"), "image/jpeg");
    EXPECT_EQ(bytes.header("Content-Length"), "65536");
    EXPECT_EQ(bytes.header("Cache-Control"), "private, max-age=3600");
    EXPECT_EQ(bytes.body, fake_bytes("media-first"));
    const auto digest = auth::sha256_hex(bytes.body);
    EXPECT_EQ(bytes.header("ETag"), "\"" + digest + "\"");

    // The message shows it stored, with the verified digest and size.
    EXPECT_EQ(media_column(id, "media_state"), "stored");
    EXPECT_EQ(media_column(id, "media_sha256"), digest);
    auto message = json_of(get("/conversations/" + conversation_ + "/messages", alice))["data"][0];
    EXPECT_EQ(message["media"]["state"], "stored");
    EXPECT_EQ(message["media"]["sha256"], digest);
    EXPECT_EQ(message["media"]["file_size"], 65536);
    EXPECT_EQ(message["media"]["url"], "/messages/media/" + id);
}

TEST_F(MediaTest, FiftyConcurrentRequestsMakeOneMetadataCallAndOneDownload) {
    auto id = media_message("media-concurrent");
    fake_control.latency("media_meta", 150);
    std::vector<std::thread> threads;
    std::mutex mutex;
    std::vector<int> statuses;
    for (int i = 0; i < 50; ++i) {
        threads.emplace_back([&] {
            auto status = media(id, "?wait=5").status;
            std::lock_guard lock(mutex);
            statuses.push_back(status);
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 302), 50);
    EXPECT_EQ(calls("media_meta"), 1u);
    EXPECT_EQ(calls("media_download"), 1u);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM jobs WHERE dedupe_key = '" + id + "'"), "1");
}

TEST_F(MediaTest, StoredMediaIsAnsweredWithoutAnyGraphCall) {
    auto id = media_message("media-stored");
    ASSERT_EQ(settled(id).status, 302);
    fake_control.reset();
    for (int i = 0; i < 5; ++i) EXPECT_EQ(media(id).status, 302);
    EXPECT_EQ(calls("media_meta") + calls("media_download"), 0u);
}

TEST_F(MediaTest, AStaleDownloadUrlIsRefetchedOnce) {
    auto id = media_message("media-stale-url");
    fake_control.fail("media_download", {{"status", 404}, {"count", 1}});
    ASSERT_EQ(settled(id).status, 302);
    EXPECT_EQ(calls("media_meta"), 2u);
    EXPECT_EQ(calls("media_download"), 2u);
}

TEST_F(MediaTest, ADigestMismatchIsRetriedNeverServedAndFailsWhenRetriesRunOut) {
    auto id = media_message("media-wrong-digest");
    fake_control.post("knobs", {{"media", {{"media-wrong-digest", {{"wrong_sha256", true}}}}}});
    EXPECT_EQ(media(id, "?wait=2").status, 202);  // the first attempt failed and waits for its retry
    EXPECT_EQ(media_column(id, "media_state"), "pending");
    EXPECT_EQ(db.query_value("SELECT last_error FROM jobs WHERE dedupe_key = '" + id + "'"),
              "sha256 mismatch: the bytes are not Meta's");
    std::size_t stored_files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(server_.media_dir())) {
        stored_files += entry.is_regular_file() ? 1 : 0;
    }
    EXPECT_EQ(stored_files, 0u);  // nothing kept, not even in tmp

    // The last attempt: due now, and it fails the same way.
    db.execute("UPDATE jobs SET attempts = max_attempts - 1, run_at = now() WHERE dedupe_key = '" + id + "'");
    auto failed = settled(id);
    ASSERT_EQ(failed.status, 502) << failed.body;
    EXPECT_EQ(json_of(failed)["error"]["code"], "upstream_error");
    EXPECT_EQ(media_column(id, "media_state"), "failed");
}

TEST_F(MediaTest, MediaMetaNoLongerHasIs410) {
    auto id = media_message("media-expired");
    fake_control.post("knobs", {{"expired_media", json::array({"media-expired"})}});
    auto expired = settled(id);
    ASSERT_EQ(expired.status, 410) << expired.body;
    EXPECT_EQ(json_of(expired)["error"]["code"], "media_expired");
    EXPECT_EQ(media_column(id, "media_state"), "expired");
}

TEST_F(MediaTest, AMessageWithoutMediaIs404NoMediaAndAnotherAccountsIs404NotFound) {
    auto conversation = add_conversation(account_a);
    auto text = add_message(account_a, conversation);
    auto response = media(text);
    ASSERT_EQ(response.status, 404);
    EXPECT_EQ(json_of(response)["error"]["code"], "no_media");

    auto id = media_message("media-private");
    auto foreign = media(id, "", bob);
    ASSERT_EQ(foreign.status, 404);
    EXPECT_EQ(json_of(foreign)["error"]["code"], "not_found");
    EXPECT_EQ(media("not-a-uuid").status, 404);
    EXPECT_EQ(media(id, "?wait=11").status, 400);
    EXPECT_EQ(media(id, "?wait=-1").status, 400);
    EXPECT_EQ(calls("media_meta"), 0u);  // nothing was queued for bob, nor for a bad wait
}

TEST_F(MediaTest, SignedUrlsAreCheckedTamperedAndExpiredOnesAre403) {
    auto id = media_message("media-signed");
    const auto location = settled(id).header("Location");
    ASSERT_FALSE(location.empty());
    auto tampered = location;
    tampered.back() = tampered.back() == '0' ? '1' : '0';
    auto forged = fetch(tampered);
    ASSERT_EQ(forged.status, 403);
    EXPECT_EQ(json_of(forged)["error"]["code"], "invalid_signature");
    EXPECT_EQ(fetch(location.substr(0, location.find('?'))).status, 403);  // no signature at all

    const auto key = location.substr(7, 64);
    auto past = auth::sign_media_path(kMediaUrlSecret, key, std::chrono::system_clock::now() - 1h);
    auto expired = fetch(past);
    ASSERT_EQ(expired.status, 403);
    EXPECT_EQ(json_of(expired)["error"]["code"], "url_expired");

    auto unknown = auth::sign_media_path(kMediaUrlSecret, std::string(64, 'a'), std::chrono::system_clock::now() + 1h);
    EXPECT_EQ(fetch(unknown).status, 404);
    auto traversal = auth::sign_media_path(kMediaUrlSecret, "../../etc/passwd", std::chrono::system_clock::now() + 1h);
    EXPECT_EQ(fetch(traversal).status, 404);
}

TEST_F(MediaTest, RangesHeadAndConditionalRequests) {
    auto id = media_message("media-ranges");
    const auto location = settled(id).header("Location");
    const auto whole = fetch(location).body;
    ASSERT_EQ(whole.size(), 65536u);

    auto first = fetch(location, "GET", {{"Range", "bytes=0-99"}});
    ASSERT_EQ(first.status, 206);
    EXPECT_EQ(first.header("Content-Range"), "bytes 0-99/65536");
    EXPECT_EQ(first.body, whole.substr(0, 100));
    auto tail = fetch(location, "GET", {{"Range", "bytes=-10"}});
    ASSERT_EQ(tail.status, 206);
    EXPECT_EQ(tail.body, whole.substr(65526));
    auto open_ended = fetch(location, "GET", {{"Range", "bytes=65000-"}});
    EXPECT_EQ(open_ended.header("Content-Range"), "bytes 65000-65535/65536");
    EXPECT_EQ(open_ended.body, whole.substr(65000));

    auto beyond = fetch(location, "GET", {{"Range", "bytes=70000-"}});
    ASSERT_EQ(beyond.status, 416);
    EXPECT_EQ(json_of(beyond)["error"]["code"], "range_not_satisfiable");
    EXPECT_EQ(beyond.header("Content-Range"), "bytes */65536");

    auto head = fetch(location, "HEAD");
    ASSERT_EQ(head.status, 200);
    EXPECT_EQ(head.header("Content-Length"), "65536");
    EXPECT_TRUE(head.body.empty());

    auto cached = fetch(location, "GET", {{"If-None-Match", first.header("ETag")}});
    EXPECT_EQ(cached.status, 304);
    EXPECT_TRUE(cached.body.empty());

    // Several ranges are not served as ranges: the whole body instead.
    auto several = fetch(location, "GET", {{"Range", "bytes=0-1,5-6"}});
    EXPECT_EQ(several.status, 200);
    EXPECT_EQ(several.body.size(), 65536u);
}

// A customer's "document" that is HTML or SVG must never run script in an agent's browser: our media origin is the
// web inbox's. Only plain images, audio and video are inline; the rest is an attachment, typed as itself only for
// the document types WhatsApp accepts; every answer forbids sniffing and sandboxes whatever it is.
TEST_F(MediaTest, HostileDocumentsAreServedAsAttachmentsThatCannotRunScript) {
    fake_control.post("knobs", {{"media",
                                 {{"media-html", {{"mime_type", "text/html"}}},
                                  {"media-svg", {{"mime_type", "image/svg+xml"}}},
                                  {"media-pdf", {{"mime_type", "application/pdf"}}}}}});
    auto document = [&](const std::string& media_id, const std::string& mime, const std::string& filename) {
        return add_message(account_a, conversation_.empty() ? (conversation_ = add_conversation(account_a)) : conversation_,
                           {.type = "document",
                            .body = std::nullopt,
                            .wa_message_id = "wamid.media." + media_id,
                            .extra_columns = ", media_id, media_mime_type, media_state, media_filename",
                            .extra_values = ", '" + media_id + "', '" + mime + "', 'pending', '" + filename + "'"});
    };
    struct Case {
        std::string message_id;
        std::string content_type;
        std::string disposition;
    };
    const std::vector<Case> cases = {
        {document("media-html", "text/html", "invoice.html"), "application/octet-stream",
         "attachment; filename=\"invoice.html\"; filename*=UTF-8''invoice.html"},
        {document("media-svg", "image/svg+xml", "../../logo \"x\".svg"), "application/octet-stream",
         "attachment; filename=\"logo _x_.svg\"; filename*=UTF-8''logo%20%22x%22.svg"},
        {document("media-pdf", "application/pdf", "Rechnung März.pdf"), "application/pdf",
         "attachment; filename=\"Rechnung M__rz.pdf\"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf"},
        {media_message("media-inline"), "image/jpeg", "inline"},
    };
    for (const auto& each : cases) {
        auto stored = settled(each.message_id);
        ASSERT_EQ(stored.status, 302) << stored.body;
        const auto location = stored.header("Location");
        for (const char* method : {"GET", "HEAD"}) {
            auto served = fetch(location, method);
            ASSERT_EQ(served.status, 200) << method << " " << location;
            EXPECT_EQ(served.header("Content-Type"), each.content_type) << location;
            EXPECT_EQ(served.header("Content-Disposition"), each.disposition) << location;
            EXPECT_EQ(served.header("X-Content-Type-Options"), "nosniff");
            EXPECT_EQ(served.header("Content-Security-Policy"), "sandbox; default-src 'none'");
        }
        // The file name is signed with the URL: another one is a forgery.
        auto renamed = location;
        const auto name_at = renamed.find("&name=");
        if (name_at != std::string::npos) {
            renamed.insert(name_at + 6, "evil");
            auto forged = fetch(renamed);
            EXPECT_EQ(forged.status, 403) << renamed;
            EXPECT_EQ(forged.header("X-Content-Type-Options"), "nosniff");
            EXPECT_EQ(forged.header("Content-Security-Policy"), "sandbox; default-src 'none'");
        }
    }
}

TEST_F(MediaTest, CheckMediaScansOnceFor33CallsAndQueuesTheUnstoredMedia) {
    auto first = media_message("media-check-1");
    auto second = media_message("media-check-2");
    db.execute("UPDATE messages SET media_state = 'failed' WHERE id = '" + second + "'");
    const auto target = "/messages/check-media/" + conversation_;
    auto started = post(target, alice);
    ASSERT_EQ(started.status, 202) << started.body;
    EXPECT_EQ(json_of(started), json({{"status", "started"}}));
    for (int i = 0; i < 32; ++i) {
        auto skipped = post(target, alice);
        ASSERT_EQ(skipped.status, 202);
        auto body = json_of(skipped);
        EXPECT_EQ(body["status"], "skipped");
        EXPECT_EQ(body["reason"], "recently_checked");
        EXPECT_GE(body["retry_after_seconds"].get<int>(), 1);
        EXPECT_LE(body["retry_after_seconds"].get<int>(), 300);
    }
    // The scan ran once and queued both downloads (the failed one gets another chance); both get stored.
    for (int i = 0; i < 100 && server_.counter("inbox_check_media_scans_total") == 0; ++i)
        std::this_thread::sleep_for(20ms);
    EXPECT_EQ(server_.counter("inbox_check_media_scans_total"), 1u);
    for (const auto& id : {first, second}) {
        for (int i = 0; i < 100 && media_column(id, "media_state") != "stored"; ++i) std::this_thread::sleep_for(50ms);
        EXPECT_EQ(media_column(id, "media_state"), "stored") << id;
    }
    EXPECT_EQ(post(target, bob).status, 404);
}

class SharedRedisMediaTest : public MediaTest {
protected:
    SharedRedisMediaTest() : MediaTest(with_redis()) {}
    static InboxServerOptions with_redis() {
        auto options = with_fake();
        options.redis_url = required_env("TEST_REDIS_URL");
        return options;
    }
};

TEST_F(SharedRedisMediaTest, CheckMediaIsDebouncedAcrossServersSharingRedis) {
    media_message("media-two-servers");
    InboxServer other(db.url(), with_redis());
    const auto target = "/messages/check-media/" + conversation_;
    EXPECT_EQ(json_of(post(target, alice))["status"], "started");
    auto elsewhere = testing::post(other.port(), target, alice);
    ASSERT_EQ(elsewhere.status, 202);
    EXPECT_EQ(json_of(elsewhere)["status"], "skipped");
}

// Without a shared cache (each server its own memory cache, as with Redis unreachable and failing open), Postgres'
// mark still lets one scan through: the debounce holds at any call rate, across instances.
TEST_F(MediaTest, CheckMediaIsDebouncedAcrossServersWithoutASharedCache) {
    media_message("media-no-shared-cache");
    InboxServer other(db.url(), with_fake());
    const auto target = "/messages/check-media/" + conversation_;
    EXPECT_EQ(json_of(post(target, alice))["status"], "started");
    for (int i = 0; i < 5; ++i) {
        auto elsewhere = testing::post(other.port(), target, alice);
        ASSERT_EQ(elsewhere.status, 202);
        auto body = json_of(elsewhere);
        EXPECT_EQ(body["status"], "skipped");
        EXPECT_GE(body["retry_after_seconds"].get<int>(), 295);
        EXPECT_LE(body["retry_after_seconds"].get<int>(), 300);
    }
    // Once the period is over (moved into the past here, and the other server's own marker expired), the next call
    // starts a scan again.
    db.execute("UPDATE check_media_marks SET next_scan_at = now() - interval '1 second'");
    other.cache_erase(services::check_media_cache_key(conversation_));
    EXPECT_EQ(json_of(testing::post(other.port(), target, alice))["status"], "started");
}

class AllowListMediaTest : public MediaTest {
protected:
    AllowListMediaTest() : MediaTest(only_localhost()) {}
    static InboxServerOptions only_localhost() {
        auto options = with_fake();
        options.media_hosts = {"localhost"};  // the fake hands out 127.0.0.1 URLs to a client that asked 127.0.0.1
        return options;
    }
};

TEST_F(AllowListMediaTest, ADownloadHostOutsideTheListIsRefusedAndGetsNoToken) {
    auto id = media_message("media-unlisted-host");
    auto refused = settled(id);
    ASSERT_EQ(refused.status, 502) << refused.body;
    EXPECT_EQ(media_column(id, "media_state"), "failed");
    EXPECT_EQ(calls("media_meta"), 1u);
    EXPECT_EQ(calls("media_download"), 0u);
}

}  // namespace
}  // namespace inbox::testing
