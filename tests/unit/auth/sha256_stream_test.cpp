#include "inbox/auth/sha256_stream.hpp"

#include <gtest/gtest.h>

namespace inbox::auth {
namespace {

TEST(Sha256Stream, EmptyInput) {
    Sha256Stream sha;
    EXPECT_EQ(sha.finish_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Stream, PiecesHashLikeTheWhole) {
    Sha256Stream pieces;
    pieces.update("a");
    pieces.update("b");
    pieces.update("c");
    EXPECT_EQ(pieces.finish_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Stream, CannotBeUpdatedAfterFinishing) {
    Sha256Stream sha;
    sha.finish_hex();
    EXPECT_THROW(sha.update("x"), std::runtime_error);
}

}  // namespace
}  // namespace inbox::auth
