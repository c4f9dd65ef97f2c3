#pragma once
// What may be sent as a WhatsApp text, and how a text becomes a template's body parameter. Pure: the send route
// validates with these before anything is stored, and the auto-template path fills the chosen template with them.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace inbox::domain {

inline constexpr std::size_t kMaxTextCharacters = 4096;          // Meta's limit for a text body
inline constexpr std::size_t kMaxTemplateBodyCharacters = 1024;  // Meta's limit for a template's filled body

// Why `text` cannot be sent (a sentence for the API's error message), nullopt when it can: 1–4096 characters
// (code points, as Meta counts them), not only white space.
std::optional<std::string> text_problem(std::string_view text);

// Meta refuses template parameters with new lines, tabs or more than four consecutive spaces (error 132018): line
// breaks and tabs become spaces, runs of spaces shrink to one, and the ends are trimmed. What is stored as the
// message's text is the body filled with this, so it shows exactly what the customer receives.
std::string template_parameter_text(std::string_view text);

// `body` with every `{{1}}` replaced by `parameter` (the re-engagement templates have exactly one parameter).
std::string fill_template_body(std::string_view body, std::string_view parameter);

}  // namespace inbox::domain
