#include "inbox/api/json_views.hpp"

namespace inbox::api {

nlohmann::json account_json(const domain::Account& account) {
    return {{"id", account.id},
            {"name", account.name},
            {"phone_number_id", account.phone_number_id},
            {"waba_id", account.waba_id},
            {"display_phone_number", account.display_phone_number ? nlohmann::json(*account.display_phone_number)
                                                                  : nlohmann::json(nullptr)}};
}

}  // namespace inbox::api
