#pragma once
// Postgres text and jsonb cannot hold U+0000, and libpq would silently cut a text parameter at it. A delivery that
// carries one (valid JSON: "\u0000") must still be stored with everything else it says, so the character is
// replaced by U+FFFD in every string and key before the delivery is normalised.
#include <nlohmann/json.hpp>

namespace inbox::domain {

// Replaces U+0000 in every string and object key of `document`; answers how many were replaced. Recursive: call it
// on documents whose depth json_limit_exceeded has bounded.
std::size_t replace_nul_characters(nlohmann::json& document);

}  // namespace inbox::domain
