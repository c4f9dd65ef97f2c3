#include "inbox/domain/outbound_text.hpp"

#include "inbox/domain/utf8.hpp"

namespace inbox::domain {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

std::optional<std::string> text_problem(std::string_view text) {
    if (text.empty()) return "text must not be empty";
    // Postgres text cannot hold U+0000 (and libpq would cut the value there); WhatsApp shows nothing for it either.
    if (text.find('\0') != std::string_view::npos) return "text must not contain NUL (U+0000) characters";
    if (utf8_length(text) > kMaxTextCharacters) {
        return "text must be at most " + std::to_string(kMaxTextCharacters) + " characters";
    }
    for (char c : text) {
        if (!is_blank(c)) return std::nullopt;
    }
    return "text must not be only white space";
}

std::string template_parameter_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    for (char c : text) {
        if (is_blank(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
    }
    return out;
}

std::string fill_template_body(std::string_view body, std::string_view parameter) {
    constexpr std::string_view kPlaceholder = "{{1}}";
    std::string out;
    out.reserve(body.size() + parameter.size());
    std::size_t at = 0;
    for (auto found = body.find(kPlaceholder); found != std::string_view::npos; found = body.find(kPlaceholder, at)) {
        out.append(body.substr(at, found - at)).append(parameter);
        at = found + kPlaceholder.size();
    }
    out.append(body.substr(at));
    return out;
}

}  // namespace inbox::domain
