// POST /accounts/{id}/uploads over the real binary (API.md Part 2, "Uploads and outbound media"): the body streamed
// into the media store (its RSS stays flat for a 100 MiB document), typed by Content-Type and magic number, bounded
// per kind, and only for members of the account.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "app_fixture.hpp"
#include "inbox/auth/sha256.hpp"

namespace inbox::testing {
namespace {

using namespace std::string_literals;

const std::string kPng = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR"s + std::string(200, '\x07');
const std::string kPdf = "%PDF-1.7\n" + std::string(1000, 'x');

std::uint64_t peak_rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6));
    }
    return 0;
}

Environment upload_env(const std::string& database_url, const std::string& media_dir) {
    auto env = server_env(database_url);
    env["MEDIA_DIR"] = media_dir;
#if defined(__SANITIZE_ADDRESS__)
    // ASan's default 256 MiB quarantine would keep every freed chunk resident; 1 MiB keeps RSS meaningful.
    const char* inherited = std::getenv("ASAN_OPTIONS");
    env["ASAN_OPTIONS"] = std::string(inherited ? inherited : "") + ":quarantine_size_mb=1";
#endif
    return env;
}

class UploadTest : public ::testing::Test {
protected:
    void SetUp() override {
        account_a = add_account(db.url(), "A", "106540352242922");
        account_b = add_account(db.url(), "B", "109876543210987");
        ASSERT_EQ(cli({"member", "add", "--account", account_a, "--user", "alice"}, {{"DATABASE_URL", db.url()}}).exit_code, 0);
        ASSERT_EQ(cli({"member", "add", "--account", account_b, "--user", "bob"}, {{"DATABASE_URL", db.url()}}).exit_code, 0);
        server = std::make_unique<ServerProcess>(upload_env(db.url(), media_dir));
        ASSERT_TRUE(server->started()) << server->output();
        alice = token_for("alice");
    }

    HttpResponse upload(const std::string& account, const std::string& type, const std::string& bytes,
                        const std::string& query = "", const std::string& bearer = "") {
        return http_request(server->port(), "POST", "/accounts/" + account + "/uploads" + query,
                            bearer.empty() ? alice : bearer, {{"Content-Type", type}}, bytes,
                            std::chrono::seconds(60));
    }

    // A request whose header is all that is sent first: what the server answers before reading the body.
    HttpResponse answer_to_header(const std::string& header) {
        RawConnection connection;
        EXPECT_TRUE(connection.connect(server->port()));
        EXPECT_TRUE(connection.send(header));
        return connection.read_response(std::chrono::seconds(10));
    }

    std::string header_for(const std::string& account, const std::string& type, const std::string& length_or_chunked) {
        return "POST /accounts/" + account + "/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + alice +
               "\r\nContent-Type: " + type + "\r\n" + length_or_chunked + "\r\n";
    }

    ~UploadTest() override {
        std::error_code ignored;
        std::filesystem::remove_all(media_dir, ignored);
    }

    TestDatabase db;
    const std::string media_dir = (std::filesystem::temp_directory_path() / ("inbox-upload-" + db.name())).string();
    std::string account_a;
    std::string account_b;
    std::string alice;
    std::unique_ptr<ServerProcess> server;
};

TEST_F(UploadTest, AnUploadIsStoredUnderItsSha256AndDescribed) {
    auto answer = upload(account_a, "image/png", kPng, "?filename=product%20photo.png");
    ASSERT_EQ(answer.status, 201) << answer.describe();
    auto json = answer.json()["upload"];
    EXPECT_TRUE(is_uuid(json["id"].get<std::string>()));
    EXPECT_EQ(json["kind"], "image");
    EXPECT_EQ(json["mime_type"], "image/png");
    EXPECT_EQ(json["file_size"], kPng.size());
    EXPECT_EQ(json["sha256"], auth::sha256_hex(kPng));
    EXPECT_EQ(json["filename"], "product photo.png");
    EXPECT_EQ(db.query_value("SELECT count(*) FROM uploads WHERE account_id = '" + account_a +
                       "' AND uploaded_by = 'alice' AND used_at IS NULL"),
              "1");

    auto again = upload(account_a, "Video/3GPP", "\0\0\0\x14" "ftyp3gp4"s + std::string(100, '\0'));
    ASSERT_EQ(again.status, 201) << again.describe();
    EXPECT_EQ(again.json()["upload"]["mime_type"], "video/3gp");
    EXPECT_EQ(again.json()["upload"]["kind"], "video");
    EXPECT_TRUE(again.json()["upload"]["filename"].is_null());
}

TEST_F(UploadTest, WrongTypesSizesAndBytesAreRefusedWithTheirOwnErrors) {
    auto html = upload(account_a, "text/html", "<script>alert(1)</script>");
    EXPECT_EQ(html.status, 415) << html.describe();
    EXPECT_EQ(html.json()["error"]["code"], "unsupported_media_type");
    EXPECT_EQ(upload(account_a, "", kPng).status, 415);

    auto disguised = upload(account_a, "image/jpeg", kPdf);
    EXPECT_EQ(disguised.status, 422) << disguised.describe();
    EXPECT_EQ(disguised.json()["error"]["code"], "validation_failed");
    EXPECT_EQ(upload(account_a, "application/pdf", "").status, 422) << "an empty file";
    EXPECT_EQ(upload(account_a, "text/plain", "binary\0data"s).status, 422);

    auto bad_name = upload(account_a, "application/pdf", kPdf, "?filename=..%2Fetc%2Fpasswd");
    EXPECT_EQ(bad_name.status, 422) << bad_name.describe();

    // Over the kind's limit by its Content-Length: answered before a byte of the body is sent.
    auto declared = answer_to_header(header_for(account_a, "image/png", "Content-Length: 6291456\r\n"));
    EXPECT_EQ(declared.status, 413) << declared.describe();
    EXPECT_EQ(declared.json()["error"]["code"], "payload_too_large");
    // Over the whole-upload limit (100 MiB).
    auto huge = answer_to_header(header_for(account_a, "application/pdf", "Content-Length: 104857601\r\n"));
    EXPECT_EQ(huge.status, 413) << huge.describe();

    // A static sticker (a plain WebP) is limited to 100 KiB, found out while its bytes arrive.
    std::string sticker = "RIFF\0\0\0\0WEBPVP8 "s + std::string(150 * 1024, '\x01');
    auto big_sticker = upload(account_a, "image/webp", sticker);
    EXPECT_EQ(big_sticker.status, 413) << big_sticker.describe();

    EXPECT_EQ(db.query_value("SELECT count(*) FROM uploads"), "0") << "nothing refused is recorded";
}

TEST_F(UploadTest, AChunkedBodyOverItsKindsLimitIsCutOffWhileItArrives) {
    RawConnection connection;
    ASSERT_TRUE(connection.connect(server->port()));
    ASSERT_TRUE(connection.send(header_for(account_a, "image/png", "Transfer-Encoding: chunked\r\n")));
    const std::string piece(256 * 1024, '\x07');
    std::string first = kPng + piece;
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", first.size());
    bool sent = connection.send(size + first + "\r\n");
    for (int i = 0; sent && i < 24; ++i) {  // 6 MiB more: past image's 5 MiB
        std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
        sent = connection.send(size + piece + "\r\n");
    }
    if (sent) connection.send("0\r\n\r\n");
    auto answer = connection.read_response(std::chrono::seconds(10));
    EXPECT_EQ(answer.status, 413) << answer.describe();
    EXPECT_EQ(db.query_value("SELECT count(*) FROM uploads"), "0");
}

TEST_F(UploadTest, OnlyMembersOfTheAccountMayUpload) {
    EXPECT_EQ(upload(account_b, "image/png", kPng).status, 404) << "alice is not in B";
    EXPECT_EQ(upload("00000000-0000-4000-8000-000000000000", "image/png", kPng).status, 404);
    EXPECT_EQ(upload("not-a-uuid", "image/png", kPng).status, 404);
    auto anonymous = http_request(server->port(), "POST", "/accounts/" + account_a + "/uploads", "",
                                  {{"Content-Type", "image/png"}}, kPng);
    EXPECT_EQ(anonymous.status, 401) << anonymous.describe();
    EXPECT_EQ(upload(account_a, "image/png", kPng, "", "not.a.token").status, 401);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM uploads"), "0");
    // The connection stays usable after a refusal whose body was read in full.
    EXPECT_EQ(upload(account_a, "image/png", kPng).status, 201);
}

// A media store that cannot write is a backing service away: 503 with Retry-After, nothing recorded; with its
// directory back, the same upload is stored.
TEST_F(UploadTest, AMediaStoreThatCannotWriteAnswers503) {
    const auto tmp = std::filesystem::path(media_dir) / "tmp";
    std::filesystem::remove_all(tmp);
    std::ofstream(tmp) << "not a directory";  // every new temp file now fails to open, even for root
    auto refused = upload(account_a, "image/png", kPng);
    EXPECT_EQ(refused.status, 503) << refused.describe();
    EXPECT_EQ(refused.json()["error"]["code"], "service_unavailable");
    EXPECT_FALSE(refused.header("retry-after").empty());
    EXPECT_EQ(db.query_value("SELECT count(*) FROM uploads"), "0");
    std::filesystem::remove(tmp);
    std::filesystem::create_directory(tmp);
    EXPECT_EQ(upload(account_a, "image/png", kPng).status, 201);
}

// The bound: a 100 MiB document keeps the server's peak RSS growth under 32 MiB (streamed in 64 KiB
// pieces to the file threads, hashed on the way).
TEST_F(UploadTest, AHundredMebibyteDocumentIsStreamedNotHeld) {
    ASSERT_EQ(upload(account_a, "application/pdf", kPdf).status, 201);  // warm: pools, buffers, threads
    const auto baseline_kib = peak_rss_kib(server->process().pid());
    std::string document = "%PDF-1.7\n" + std::string(100 * 1024 * 1024 - 9, 'p');
    auto answer = upload(account_a, "application/pdf", document, "?filename=catalogue.pdf");
    ASSERT_EQ(answer.status, 201) << answer.describe();
    EXPECT_EQ(answer.json()["upload"]["file_size"], document.size());
    EXPECT_EQ(answer.json()["upload"]["sha256"], auth::sha256_hex(document));
    const auto growth_kib = peak_rss_kib(server->process().pid()) - baseline_kib;
    EXPECT_LT(growth_kib, 32u * 1024) << "peak RSS grew by " << growth_kib << " KiB (baseline " << baseline_kib << ")";
    RecordProperty("rss_growth_kib", std::to_string(growth_kib));
    std::printf("100 MiB upload: peak RSS growth %llu KiB over a %llu KiB baseline\n",
                static_cast<unsigned long long>(growth_kib), static_cast<unsigned long long>(baseline_kib));
}

}  // namespace
}  // namespace inbox::testing
