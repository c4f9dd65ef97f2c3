// A stored webhook body, taken the way the processor takes it (services/webhook_processor.cpp, `prepare`): the
// shape limits first, then the parse and the normalisation, then every message's content as it is stored, which
// must read back as what was received. The signature only proves that Meta sent the body: nothing here may crash,
// whatever its bytes.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "inbox/domain/json_limits.hpp"
#include "inbox/domain/webhook_payload.hpp"
#include "support/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace domain = inbox::domain;
    const std::string body(reinterpret_cast<const char*>(data), size);  // the event row's body

    if (domain::json_limit_exceeded(body, domain::kWebhookJsonLimits)) return 0;  // recorded as ignored
    const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return 0;
    const auto delivery = domain::normalize_webhook(json);
    for (const auto& change : delivery.account_changes) {
        for (const auto& message : change.messages) {
            const std::string stored = message.content.dump();  // the text of the jsonb column
            INBOX_FUZZ_CHECK(nlohmann::json::parse(stored) == message.content);
        }
    }
    return 0;
}
