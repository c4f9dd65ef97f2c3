#include "inbox/web/static_site.hpp"

#include "inbox/auth/sha256.hpp"

#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace inbox::web {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxNameLength = 128;
// The web inbox is a few small files; anything larger in WEB_DIR is a mistake, not an asset to keep in memory.
constexpr std::uintmax_t kMaxFileBytes = 4 * 1024 * 1024;

std::string read_file(const fs::path& file) {
    std::error_code error;
    const auto size = fs::file_size(file, error);
    if (error) throw std::runtime_error("cannot read " + file.string() + ": " + error.message());
    if (size > kMaxFileBytes) throw std::runtime_error(file.string() + " is larger than 4 MiB");
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in && !in.eof()) throw std::runtime_error("cannot read " + file.string());
    return std::move(bytes).str();
}

}  // namespace

std::string_view content_type_for(std::string_view file_name) noexcept {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kTypes{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
        {".map", "application/json; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
        {".yaml", "application/yaml; charset=utf-8"},
    }};
    for (const auto& [extension, type] : kTypes) {
        if (file_name.ends_with(extension)) return type;
    }
    return "application/octet-stream";
}

bool is_servable_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > kMaxNameLength || name.front() == '.') return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

void StaticSite::add(std::string url_path, const fs::path& file) {
    StaticFile entry;
    entry.body = read_file(file);
    entry.content_type = std::string(content_type_for(file.filename().string()));
    entry.etag = "\"" + auth::sha256_hex(entry.body).substr(0, 32) + "\"";
    files_.insert_or_assign(std::move(url_path), std::move(entry));
}

StaticSite StaticSite::load(const std::optional<fs::path>& web_dir, const std::optional<fs::path>& openapi_file) {
    StaticSite site;
    if (web_dir) {
        const auto index = *web_dir / "index.html";
        if (!fs::is_regular_file(index)) {
            throw std::runtime_error("WEB_DIR " + web_dir->string() + " has no index.html");
        }
        site.add("/", index);
        const auto app = *web_dir / "app";
        std::error_code error;
        for (const auto& entry : fs::directory_iterator(app, error)) {
            const auto name = entry.path().filename().string();
            // Subfolders and hidden or oddly named files are not served: the URL space stays exactly one level.
            if (entry.is_regular_file() && is_servable_name(name)) site.add("/app/" + name, entry.path());
        }
    }
    if (openapi_file) site.add("/openapi.yaml", *openapi_file);
    return site;
}

const StaticFile* StaticSite::find(std::string_view url_path) const {
    const auto found = files_.find(url_path);
    return found == files_.end() ? nullptr : &found->second;
}

}  // namespace inbox::web
