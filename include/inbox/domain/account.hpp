#pragma once
#include <optional>
#include <string>

namespace inbox::domain {

struct TemplateRef {
    std::string name;
    std::string language;
};

// A connected WhatsApp Business number. The Graph access token is deliberately not part of it: it is read only by
// the code that calls the Graph API.
struct Account {
    std::string id;
    std::string name;
    std::string phone_number_id;
    std::string waba_id;
    std::optional<std::string> display_phone_number;
    std::optional<TemplateRef> default_template;
    std::string read_receipts = "on_reply";  // never | on_open | on_reply (API.md Part 2, "Read receipts")
};

// PATCH /accounts/{id}: the fields given (any subset), already valid.
struct AccountChanges {
    std::optional<std::string> name;
    std::optional<std::string> read_receipts;
    bool set_default_template = false;             // with default_template, which may be null (none)
    std::optional<TemplateRef> default_template;
};

struct NewAccount {
    std::string name;
    std::string phone_number_id;
    std::string waba_id;
    std::string access_token;
    std::optional<std::string> display_phone_number;
    std::optional<TemplateRef> default_template;
};

}  // namespace inbox::domain
