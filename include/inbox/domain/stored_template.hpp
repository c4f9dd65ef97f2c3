#pragma once
// A message template as stored for an account (synced from the Graph API, statuses updated by webhooks).
#include <optional>
#include <string>

namespace inbox::domain {

struct StoredTemplate {
    std::string id;
    std::string name;
    std::string language;
    std::optional<std::string> category;
    std::string status;
    std::optional<std::string> body_text;
    int parameter_count = 0;
    std::optional<std::string> components_json;  // Meta's components as synced (JSON array); none before 0015
};

}  // namespace inbox::domain
