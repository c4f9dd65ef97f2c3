#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loadgen/template.hpp"

namespace inbox::loadgen {

using VarMap = std::map<std::string, std::string, std::less<>>;

// One weighted request of the mix, with every template compiled against the scenario's bindings.
struct RequestSpec {
    std::string name;
    unsigned weight = 1;
    std::string method;
    Template path;
    std::vector<std::pair<std::string, Template>> headers;
    std::optional<Template> body;
    std::optional<std::string> signing_secret;  // set by "sign_webhook": sign the final body with it
    std::size_t unique_wamids = 0;              // distinct wamids rewritten per request ("unique_wamid")
};

struct Scenario {
    std::string name;
    std::vector<RequestSpec> requests;
    std::vector<std::string> id_list_names;
    std::vector<std::vector<std::string>> id_lists;  // indexed as the id_list placeholders refer to them

    unsigned total_weight() const;
};

// Parses a scenario document. Relative "body_file" and "id_lists" paths are resolved against base_dir;
// cli_vars override the document's "vars". Throws ScenarioError naming the offending field.
Scenario parse_scenario(std::string_view json_text, const std::filesystem::path& base_dir, const VarMap& cli_vars);

// Reads and parses a scenario file; errors are prefixed with the file name.
Scenario load_scenario(const std::filesystem::path& file, const VarMap& cli_vars);

}  // namespace inbox::loadgen
