#include "inbox/media/media_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "inbox/auth/sha256.hpp"

namespace inbox::media {
namespace {

namespace fs = std::filesystem;

class MediaStoreTest : public ::testing::Test {
protected:
    MediaStoreTest() {
        std::string pattern = (fs::temp_directory_path() / "media-store-test.XXXXXX").string();
        root_ = ::mkdtemp(pattern.data());
    }
    ~MediaStoreTest() override { fs::remove_all(root_); }

    std::string write_temp(MediaStore& store, const std::string& bytes) {
        auto path = store.temp_path();
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }
    static std::string read_all(int fd, std::uint64_t size) {
        std::string bytes(size, '\0');
        EXPECT_EQ(::pread(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(size));
        return bytes;
    }

    fs::path root_;
};

TEST_F(MediaStoreTest, AdoptedBytesOpenUnderTheirDigestWithTheirType) {
    MediaStore store(root_);
    const std::string bytes = "fake image bytes";
    const auto digest = auth::sha256_hex(bytes);
    const auto temp = write_temp(store, bytes);
    EXPECT_EQ(store.adopt(temp, digest, "image/png"), digest);
    EXPECT_FALSE(fs::exists(temp));
    auto opened = store.open(digest);
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->size, bytes.size());
    EXPECT_EQ(opened->mime_type, "image/png");
    EXPECT_EQ(read_all(opened->file.fd(), opened->size), bytes);
}

TEST_F(MediaStoreTest, TheSameBytesTwiceKeepOneFile) {
    MediaStore store(root_);
    const auto digest = auth::sha256_hex("same");
    store.adopt(write_temp(store, "same"), digest, "image/jpeg");
    const auto second = write_temp(store, "same");
    EXPECT_EQ(store.adopt(second, digest, "image/jpeg"), digest);
    EXPECT_FALSE(fs::exists(second));
    std::size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root_)) files += entry.is_regular_file() ? 1 : 0;
    EXPECT_EQ(files, 2u);  // the bytes and their type
}

TEST_F(MediaStoreTest, OnlyDigestsAreKeys) {
    MediaStore store(root_);
    EXPECT_TRUE(MediaStore::valid_key(std::string(64, 'a')));
    for (const auto& key : {std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'A'),
                            "../" + std::string(61, 'a'), std::string(62, 'a') + "/."}) {
        EXPECT_FALSE(MediaStore::valid_key(key)) << key;
        EXPECT_FALSE(store.open(key)) << key;
    }
    EXPECT_FALSE(store.open(std::string(64, 'b')));  // well-formed, not stored
    const auto temp = write_temp(store, "x");
    EXPECT_THROW(store.adopt(temp, "not-a-digest", "image/png"), std::invalid_argument);
    EXPECT_FALSE(fs::exists(temp));
}

}  // namespace
}  // namespace inbox::media
