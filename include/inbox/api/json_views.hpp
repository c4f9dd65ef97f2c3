#pragma once
// The JSON shapes of API.md "Objects", in one place.
#include "inbox/domain/account.hpp"

#include <nlohmann/json.hpp>

namespace inbox::api {

nlohmann::json account_json(const domain::Account& account);

}  // namespace inbox::api
