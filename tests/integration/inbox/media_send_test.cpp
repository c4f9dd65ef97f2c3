// Media sends (API.md Part 2, "Sending media") on a real server over a real database, against the fake Graph API
// run as a child process: an upload is sent to Meta once per account (multipart) and then by id, shown from our
// own store at once, never uploaded or sent twice under one Idempotency-Key, and refused like text sends.
#include <gtest/gtest.h>

#include "fake_graph_test.hpp"
#include "inbox/auth/sha256.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kSend = "/messages/send";
const std::string kPdf = "%PDF-1.7\n" + std::string(3000, 'i');
const std::string kOgg = std::string("OggS\0\x02", 6) + std::string(22, '\0') + "\x01\x13OpusHead" + std::string(500, 'o');

class MediaSendTest : public FakeGraphTest {
protected:
    MediaSendTest() : FakeGraphTest(fake_graph_options()) {}

    std::string conversation(const std::string& last_inbound = "now() - interval '1 hour'") {
        return add_conversation(account_a, "now() - interval '1 hour'", "open", 0, last_inbound);
    }
    // An upload of `account` by `token`'s user; answers its id.
    std::string upload(const std::string& bytes, const std::string& type, const std::string& query = "",
                       const std::string& account = "", const std::string& token = "") {
        auto response = http_request(server_.port(), "POST",
                                     "/accounts/" + (account.empty() ? account_a : account) + "/uploads" + query,
                                     {{"Authorization", "Bearer " + (token.empty() ? alice : token)},
                                      {"Content-Type", type}},
                                     bytes);
        EXPECT_EQ(response.status, 201) << response.body;
        return response.status == 201 ? json_of(response)["upload"]["id"].get<std::string>() : "";
    }
    RawResponse send_media(const std::string& conversation_id, const std::string& upload_id, const json& caption,
                           const std::optional<std::string>& key = std::nullopt) {
        json body = {{"conversation_id", conversation_id}, {"upload_id", upload_id}};
        if (!caption.is_null()) body["caption"] = caption;
        return post_json(server_.port(), kSend, alice, body.dump(), key);
    }
    std::size_t graph_calls(const std::string& family) { return fake_control.requests(family).size(); }
};

TEST_F(MediaSendTest, AnUploadIsUploadedToMetaOnceSentByIdAndShownFromOurStore) {
    const auto id = conversation();
    const auto upload_id = upload(kPdf, "application/pdf", "?filename=invoice-1234.pdf");
    auto response = send_media(id, upload_id, "Your invoice", "invoice-send-1");
    ASSERT_EQ(response.status, 201) << response.body;
    auto message = json_of(response)["message"];
    EXPECT_EQ(message["type"], "document");
    EXPECT_EQ(message["text"], "Your invoice");
    EXPECT_EQ(message["status"], "sent");
    EXPECT_EQ(message["media"]["state"], "stored");
    EXPECT_EQ(message["media"]["mime_type"], "application/pdf");
    EXPECT_EQ(message["media"]["filename"], "invoice-1234.pdf");
    EXPECT_EQ(message["media"]["sha256"], auth::sha256_hex(kPdf));
    const auto message_id = message["id"].get<std::string>();

    // Meta got the bytes once, as multipart, then the message by the id it answered.
    auto uploads = fake_control.requests("media_upload");
    ASSERT_EQ(uploads.size(), 1u);
    EXPECT_NE(uploads[0]["target"].get<std::string>().find("/106540352242922/media"), std::string::npos);
    EXPECT_EQ(uploads[0]["authorization"], "Bearer graph-token-of-a");
    const auto summary = uploads[0]["json"];
    EXPECT_EQ(summary["messaging_product"], "whatsapp");
    EXPECT_EQ(summary["type"], "application/pdf");
    EXPECT_EQ(summary["file"]["filename"], "invoice-1234.pdf");
    EXPECT_EQ(summary["file"]["size"], kPdf.size());
    EXPECT_EQ(summary["file"]["sha256"], auth::sha256_hex(kPdf));
    auto sends = fake_control.requests("messages");
    ASSERT_EQ(sends.size(), 1u);
    const auto sent = sends[0]["json"];
    EXPECT_EQ(sent["type"], "document");
    EXPECT_TRUE(sent["document"]["id"].get<std::string>().starts_with("fake-media-"));
    EXPECT_EQ(sent["document"]["caption"], "Your invoice");
    EXPECT_EQ(sent["document"]["filename"], "invoice-1234.pdf");
    EXPECT_EQ(sent["biz_opaque_callback_data"], message_id);

    // The agent sees the bytes from our own store at once.
    auto media = get("/messages/media/" + message_id, alice);
    ASSERT_EQ(media.status, 302) << media.body;
    auto bytes = http_request(server_.port(), "GET", media.header("location"));
    EXPECT_EQ(bytes.status, 200);
    EXPECT_EQ(bytes.body, kPdf);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM uploads WHERE id = '" + upload_id + "' AND used_at IS NOT NULL"),
              "1");

    // The same key: the stored answer, nothing uploaded or sent again.
    auto repeat = send_media(id, upload_id, "Your invoice", "invoice-send-1");
    EXPECT_EQ(repeat.status, 200) << repeat.body;
    EXPECT_EQ(json_of(repeat)["message"]["id"], message_id);
    // Another send of the same upload: Meta's media id is reused, no second upload.
    auto again = send_media(id, upload_id, nullptr, "invoice-send-2");
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(json_of(again)["message"]["text"], nullptr);
    EXPECT_EQ(graph_calls("media_upload"), 1u);
    sends = fake_control.requests("messages");
    ASSERT_EQ(sends.size(), 2u);
    EXPECT_EQ(sends[1]["json"]["document"]["id"], sent["document"]["id"]);
    EXPECT_FALSE(sends[1]["json"]["document"].contains("caption"));
}

TEST_F(MediaSendTest, ARefusedUploadFailsTheMessageAndAnOutageIsRetriedUnderTheSameKey) {
    const auto id = conversation();
    const auto upload_id = upload(kPdf, "application/pdf");
    fake_control.fail("media_upload", {{"code", 131053}, {"count", 1}});
    auto refused = send_media(id, upload_id, nullptr, "refused-upload");
    ASSERT_EQ(refused.status, 502) << refused.body;
    EXPECT_EQ(json_of(refused)["error"]["code"], "upstream_error");
    EXPECT_EQ(json_of(refused)["error"]["graph_error"]["code"], 131053);
    const auto failed_id = json_of(refused)["error"]["message_id"].get<std::string>();
    EXPECT_EQ(db.query_value("SELECT status FROM messages WHERE id = '" + failed_id + "'"), "failed");
    EXPECT_EQ(graph_calls("messages"), 0u) << "nothing is sent without the bytes";

    fake_control.fail("media_upload", {{"status", 503}, {"code", 2}, {"count", 1}});
    auto outage = send_media(id, upload_id, nullptr, "outage-upload");
    ASSERT_EQ(outage.status, 503) << outage.body;
    auto retried = send_media(id, upload_id, nullptr, "outage-upload");
    ASSERT_EQ(retried.status, 201) << retried.body;
    EXPECT_EQ(json_of(retried)["message"]["id"], json_of(outage)["error"]["message_id"]);
    EXPECT_EQ(graph_calls("messages"), 1u);
}

TEST_F(MediaSendTest, MediaSendsAreValidatedAndKeptWithinTheirAccount) {
    const auto id = conversation();
    const auto audio = upload(kOgg, "audio/ogg");
    auto captioned_audio = send_media(id, audio, "listen");
    EXPECT_EQ(captioned_audio.status, 422) << captioned_audio.body;
    EXPECT_EQ(json_of(captioned_audio)["error"]["code"], "validation_failed");
    EXPECT_EQ(send_media(id, audio, std::string(1025, 'c')).status, 422) << "caption over 1024 characters";
    auto both = post_json(server_.port(), kSend, alice,
                          json{{"conversation_id", id}, {"upload_id", audio}, {"text", "hi"}}.dump());
    EXPECT_EQ(both.status, 422);
    auto auto_route = post_json(server_.port(), "/messages/send-with-auto-template", alice,
                                json{{"conversation_id", id}, {"upload_id", audio}}.dump());
    EXPECT_EQ(auto_route.status, 422) << auto_route.body;
    EXPECT_EQ(send_media(id, "not-a-uuid", nullptr).status, 422);

    auto unknown = send_media(id, "00000000-0000-4000-8000-000000000000", nullptr);
    EXPECT_EQ(unknown.status, 404) << unknown.body;
    const auto bobs = upload(kPdf, "application/pdf", "", account_b, bob);
    auto foreign = send_media(id, bobs, nullptr);
    EXPECT_EQ(foreign.status, 404) << "an upload of another account: " << foreign.body;

    auto closed = send_media(conversation("now() - interval '2 days'"), audio, nullptr);
    EXPECT_EQ(closed.status, 422) << closed.body;
    EXPECT_EQ(json_of(closed)["error"]["code"], "outside_free_window");

    auto voice = send_media(id, audio, nullptr);
    ASSERT_EQ(voice.status, 201) << voice.body;
    EXPECT_EQ(json_of(voice)["message"]["type"], "audio");
    EXPECT_EQ(fake_control.requests("messages")[0]["json"]["type"], "audio");
    EXPECT_EQ(graph_calls("messages"), 1u) << "only the valid send reached Meta";
}

}  // namespace
}  // namespace inbox::testing
