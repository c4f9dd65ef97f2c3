#pragma once
// libpqxx 6.4 cannot bind arrays: encode them as Postgres array literals, always quoted, so any text is safe.
#include <string>
#include <vector>

namespace inbox::storage {

std::string to_pg_text_array(const std::vector<std::string>& values);

}  // namespace inbox::storage
