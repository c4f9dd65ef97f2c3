#include "inbox/domain/upload_type.hpp"

#include <gtest/gtest.h>

#include <string>

namespace inbox::domain {
namespace {

using namespace std::string_literals;

UploadType type_of(std::string_view content_type) {
    auto type = upload_type(content_type);
    EXPECT_TRUE(type) << content_type;
    return type.value_or(UploadType{"", MediaKind::document, 0});
}

TEST(UploadType, KnowsWhatWhatsAppAcceptsWithItsKindAndLimit) {
    EXPECT_EQ(type_of("image/jpeg").kind, MediaKind::image);
    EXPECT_EQ(type_of("image/png").max_bytes, 5u * 1024 * 1024);
    EXPECT_EQ(type_of("video/mp4").max_bytes, 16u * 1024 * 1024);
    EXPECT_EQ(type_of("audio/ogg").kind, MediaKind::audio);
    EXPECT_EQ(type_of("image/webp").kind, MediaKind::sticker);
    EXPECT_EQ(type_of("application/pdf").max_bytes, 100u * 1024 * 1024);
    EXPECT_EQ(type_of("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").kind, MediaKind::document);
}

TEST(UploadType, IgnoresCaseAndParametersAndKnows3gppAs3gp) {
    EXPECT_EQ(type_of("Text/Plain; charset=utf-8").mime_type, "text/plain");
    EXPECT_EQ(type_of("video/3gpp").mime_type, "video/3gp");
    EXPECT_EQ(type_of(" image/PNG ").mime_type, "image/png");
}

TEST(UploadType, RefusesEverythingElse) {
    for (auto refused : {"text/html", "image/svg+xml", "image/gif", "application/octet-stream", "video/webm", "",
                         "application/zip", "audio/wav"}) {
        EXPECT_FALSE(upload_type(refused)) << refused;
    }
}

TEST(UploadType, MagicNumbersMustMatchTheDeclaredType) {
    struct Case {
        const char* type;
        std::string good;
        std::string bad;
    };
    const std::string webp = "RIFF\x10\0\0\0WEBPVP8 "s;
    const Case cases[] = {
        {"image/jpeg", "\xFF\xD8\xFF\xE0rest", "\x89PNG\r\n\x1A\n"},
        {"image/png", "\x89PNG\r\n\x1A\nIHDR", "\xFF\xD8\xFF\xE0"},
        {"image/webp", webp, "RIFF\x10\0\0\0WAVEfmt "s},
        {"video/mp4", "\0\0\0\x18" "ftypmp42"s, "\x1A\x45\xDF\xA3webm"},
        {"video/3gpp", "\0\0\0\x14" "ftyp3gp4"s, "%PDF-1.7"},
        {"audio/ogg", "OggS\0\x02"s + std::string(22, '\0') + "\x01\x13OpusHead"s, "OggS\0\x02"s + std::string(22, '\0') + "\x01\x1E\x01vorbis"s},
        {"audio/mpeg", "ID3\x04\0", "<html>"},
        {"audio/mpeg", "\xFF\xFB\x90\x64", "\xFF\x00\x00\x00"},
        {"audio/aac", "\xFF\xF1\x50\x80", "\xFF\xFB\x90\x64"},
        {"audio/amr", "#!AMR\n", "#!SILK"},
        {"application/pdf", "%PDF-1.4\n", "<html><script>"},
        {"text/plain", "hello\nworld", "hel\0lo"s},
        {"application/msword", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0"s, "PK\x03\x04"s},
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\x03\x04\x14\0"s,
         "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"},
    };
    for (const auto& c : cases) {
        auto type = type_of(c.type);
        EXPECT_EQ(check_magic(type, c.good), MagicVerdict::matches) << c.type;
        EXPECT_EQ(check_magic(type, c.bad), MagicVerdict::mismatch) << c.type;
        EXPECT_EQ(check_magic(type, ""), MagicVerdict::mismatch) << c.type << ": an empty file";
    }
}

TEST(UploadType, AStaticStickerHasASmallerLimitThanAnAnimatedOne) {
    auto sticker = type_of("image/webp");
    std::string animated = "RIFF\0\0\0\0WEBPVP8X\x0A\0\0\0"s + "\x02" + std::string(9, '\0');
    std::string still = "RIFF\0\0\0\0WEBPVP8 \x0A\0\0\0"s + std::string(10, '\0');
    EXPECT_EQ(max_bytes_for(sticker, animated), 500u * 1024);
    EXPECT_EQ(max_bytes_for(sticker, still), 100u * 1024);
    EXPECT_EQ(max_bytes_for(type_of("image/png"), "\x89PNG"), 5u * 1024 * 1024);
}

TEST(UploadType, AFilenameIsPrintableUtf8WithoutPathSeparators) {
    EXPECT_EQ(filename_problem("invoice 2026-12.pdf"), "");
    EXPECT_EQ(filename_problem("Rechnung für Jürgen.pdf"), "");
    EXPECT_NE(filename_problem(""), "");
    EXPECT_NE(filename_problem(std::string(256, 'a')), "");
    EXPECT_NE(filename_problem("../etc/passwd"), "");
    EXPECT_NE(filename_problem("a\\b.pdf"), "");
    EXPECT_NE(filename_problem("a\nb.pdf"), "");
    EXPECT_NE(filename_problem("\xC3\x28.pdf"), "") << "not UTF-8";
}

}  // namespace
}  // namespace inbox::domain
