#include "inbox/media/serving_policy.hpp"

#include <gtest/gtest.h>

namespace inbox::media {
namespace {

TEST(ServingPolicy, PlainImagesAudioAndVideoAreInlineWithTheirOwnType) {
    for (const std::string type : {"image/jpeg", "image/png", "image/webp", "image/gif", "audio/ogg; codecs=opus",
                                   "audio/mpeg", "video/mp4", "video/3gpp", "video/3gp", "IMAGE/JPEG"}) {
        const auto policy = serving_policy(type, std::string("x.bin"));
        EXPECT_EQ(policy.content_disposition, "inline") << type;
        EXPECT_EQ(policy.content_type, type) << type;
    }
}

TEST(ServingPolicy, ScriptableAndUnknownTypesAreOctetStreamAttachments) {
    for (const std::string type : {"text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript",
                                   "application/octet-stream", "", "audio/", "video/webm", "text/html; charset=utf-8"}) {
        const auto policy = serving_policy(type, std::nullopt);
        EXPECT_EQ(policy.content_type, "application/octet-stream") << type;
        EXPECT_EQ(policy.content_disposition, "attachment") << type;
    }
}

TEST(ServingPolicy, UploadDocumentTypesKeepTheirTypeButAreAttachments) {
    for (const std::string type : {"application/pdf", "text/plain", "application/msword",
                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}) {
        const auto policy = serving_policy(type + "; charset=x", std::string("a.doc"));
        EXPECT_EQ(policy.content_type, type);
        EXPECT_TRUE(policy.content_disposition.starts_with("attachment; filename=\"a.doc\"")) << policy.content_disposition;
    }
}

TEST(ServingPolicy, FileNamesCannotBreakTheHeaderOrCarryAPath) {
    const auto policy = serving_policy("application/pdf", std::string("..\\\\dir/na\"me\r\nX-Evil: 1.pdf"));
    EXPECT_EQ(policy.content_disposition.find('\r'), std::string::npos);
    EXPECT_EQ(policy.content_disposition.find('\n'), std::string::npos);
    EXPECT_EQ(policy.content_disposition,
              "attachment; filename=\"na_me__X-Evil: 1.pdf\"; filename*=UTF-8''na%22me%0D%0AX-Evil%3A%201.pdf");
    EXPECT_EQ(serving_policy("application/pdf", std::string("dir/")).content_disposition, "attachment");
}

TEST(ServingPolicy, EssenceDropsParametersAndCase) {
    EXPECT_EQ(essence_of(" Audio/OGG ; codecs=opus"), "audio/ogg");
    EXPECT_EQ(essence_of("text/plain"), "text/plain");
    EXPECT_TRUE(is_upload_document_type("application/vnd.ms-powerpoint"));
    EXPECT_FALSE(is_upload_document_type("text/html"));
}

}  // namespace
}  // namespace inbox::media
