#include "inbox/media/media_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace inbox::media {
namespace {

namespace fs = std::filesystem;

// Flushes a file's bytes to disk: the rename that follows must not publish a file a crash could leave empty.
void flush_to_disk(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + path);
    const int synced = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (synced != 0) throw std::system_error(error, std::generic_category(), "fsync " + path);
}

// Makes a rename (or a new entry) in `directory` durable: without it, a crash may lose the name of a file whose
// bytes were flushed, and the row saying `stored` would point at nothing.
void flush_directory(const fs::path& directory) {
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + directory.string());
    const int synced = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (synced != 0) throw std::system_error(error, std::generic_category(), "fsync " + directory.string());
}

std::string random_name() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::ostringstream name;
    name << std::hex << rng() << rng();
    return name.str();
}

}  // namespace

MediaStore::MediaStore(fs::path root, FileThreads* file_threads) : root_(std::move(root)), file_threads_(file_threads) {
    fs::create_directories(root_ / "tmp");
}

boost::asio::awaitable<std::string> MediaStore::adopt_off_loop(std::string temp_path, std::string sha256_hex,
                                                               std::string mime_type) {
    if (!file_threads_) {
        return [](std::string value) -> boost::asio::awaitable<std::string> { co_return value; }(
                   adopt(temp_path, sha256_hex, mime_type));
    }
    return file_threads_->run([this, temp_path = std::move(temp_path), sha256_hex = std::move(sha256_hex),
                               mime_type = std::move(mime_type)] { return adopt(temp_path, sha256_hex, mime_type); });
}

std::size_t MediaStore::prune_temp_files(fs::file_time_type cutoff) const noexcept {
    std::size_t removed = 0;
    std::error_code ec;
    for (fs::directory_iterator it(root_ / "tmp", ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code entry_ec;
        if (!it->is_regular_file(entry_ec) || it->last_write_time(entry_ec) >= cutoff || entry_ec) continue;
        if (fs::remove(it->path(), entry_ec)) ++removed;
    }
    return removed;
}

bool MediaStore::valid_key(std::string_view key) noexcept {
    if (key.size() != 64) return false;
    for (char c : key) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

fs::path MediaStore::path_of(std::string_view key) const {
    return root_ / std::string(key.substr(0, 2)) / std::string(key);
}

std::string MediaStore::temp_path() const { return (root_ / "tmp" / (random_name() + ".part")).string(); }

std::string MediaStore::adopt(const std::string& temp_path, const std::string& sha256_hex,
                              const std::string& mime_type) {
    if (!valid_key(sha256_hex)) {
        discard(temp_path);
        throw std::invalid_argument("media store: not a SHA-256 key: " + sha256_hex);
    }
    try {
        const auto target = path_of(sha256_hex);
        if (fs::create_directories(target.parent_path())) flush_directory(root_);
        if (fs::exists(target)) {
            discard(temp_path);
            return sha256_hex;
        }
        // The type first: a file under a key always has its type beside it.
        const auto type_temp = temp_path + ".type";
        std::ofstream(type_temp, std::ios::trunc) << mime_type;
        flush_to_disk(type_temp);
        fs::rename(type_temp, target.string() + ".type");
        flush_to_disk(temp_path);
        fs::rename(temp_path, target);
        flush_directory(target.parent_path());
        return sha256_hex;
    } catch (...) {
        discard(temp_path);
        discard(temp_path + ".type");
        throw;
    }
}

std::optional<StoredMedia> MediaStore::open(std::string_view key) const {
    if (!valid_key(key)) return std::nullopt;
    const auto path = path_of(key);
    auto file = OpenFile::read_only(path.string());
    if (!file) return std::nullopt;
    struct stat info {};
    if (::fstat(file.fd(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
    std::string mime_type;
    std::getline(std::ifstream(path.string() + ".type"), mime_type);
    if (mime_type.empty()) mime_type = "application/octet-stream";
    return StoredMedia{std::move(file), static_cast<std::uint64_t>(info.st_size), std::move(mime_type)};
}

void MediaStore::discard(const std::string& temp_path) noexcept {
    std::error_code ignored;
    fs::remove(temp_path, ignored);
}

}  // namespace inbox::media
