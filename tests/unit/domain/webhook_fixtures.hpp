#pragma once
// Loads the shared webhook fixtures (../shared/fixtures/webhooks/) for the domain tests.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace inbox::domain::testing {

inline std::filesystem::path webhook_fixtures_dir() {
    if (const char* dir = std::getenv("INBOX_FIXTURES_DIR"); dir != nullptr && *dir != '\0') {
        return std::filesystem::path{dir} / "webhooks";
    }
    return std::filesystem::path{INBOX_DEFAULT_FIXTURES_DIR} / "webhooks";
}

// `name` without the `.json` suffix, e.g. "text_message".
inline nlohmann::json load_webhook(const std::string& name) {
    const auto path = webhook_fixtures_dir() / (name + ".json");
    std::ifstream file{path};
    if (!file) throw std::runtime_error("cannot open fixture " + path.string());
    return nlohmann::json::parse(file);
}

inline std::vector<std::string> all_webhook_fixture_names() {
    std::vector<std::string> names;
    for (const auto& file : std::filesystem::directory_iterator{webhook_fixtures_dir()}) {
        if (file.path().extension() == ".json") names.push_back(file.path().stem().string());
    }
    return names;
}

// The `value` of the first change of the first entry, for tests that tamper with a fixture.
inline nlohmann::json& first_value(nlohmann::json& body) { return body["entry"][0]["changes"][0]["value"]; }

}  // namespace inbox::domain::testing
