#include "inbox/domain/nul_characters.hpp"

#include <string_view>

namespace inbox::domain {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

std::size_t replace_in(std::string& text) {
    std::size_t replaced = 0;
    for (auto at = text.find('\0'); at != std::string::npos; at = text.find('\0', at + kReplacement.size())) {
        text.replace(at, 1, kReplacement);
        ++replaced;
    }
    return replaced;
}

}  // namespace

std::size_t replace_nul_characters(nlohmann::json& document) {
    std::size_t replaced = 0;
    if (document.is_string()) return replace_in(document.get_ref<std::string&>());
    if (document.is_array()) {
        for (auto& element : document) replaced += replace_nul_characters(element);
        return replaced;
    }
    if (!document.is_object()) return 0;
    bool key_with_nul = false;
    for (auto& [key, value] : document.items()) {
        key_with_nul = key_with_nul || key.find('\0') != std::string::npos;
        replaced += replace_nul_characters(value);
    }
    if (!key_with_nul) return replaced;
    nlohmann::json rebuilt = nlohmann::json::object();
    for (auto& [key, value] : document.items()) {
        std::string clean = key;
        replaced += replace_in(clean);
        rebuilt[clean] = std::move(value);
    }
    document = std::move(rebuilt);
    return replaced;
}

}  // namespace inbox::domain
