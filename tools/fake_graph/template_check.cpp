#include "fake_graph/template_check.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <regex>
#include <string>

namespace fake_graph {
namespace {

using nlohmann::json;

std::string upper_string(const json& object, const char* key) {
    std::string text;
    if (object.is_object() && object.contains(key) && object[key].is_string()) text = object[key].get<std::string>();
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

int placeholders(const json& object, const char* key) {
    if (!object.contains(key) || !object[key].is_string()) return 0;
    static const std::regex kPlaceholder(R"(\{\{([1-9][0-9]*)\}\})");
    const auto text = object[key].get<std::string>();
    std::set<std::string> seen;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kPlaceholder); it != std::sregex_iterator(); ++it) {
        seen.insert((*it)[1]);
    }
    return static_cast<int>(seen.size());
}

// "header" / "body" / "button:<index>" → how many parameters that component takes.
std::map<std::string, int> expected_of(const MessageTemplate& stored) {
    std::map<std::string, int> expected;
    for (const auto& component : stored.components) {
        const auto type = upper_string(component, "type");
        if (type == "HEADER") {
            const auto format = upper_string(component, "format");
            const int count = format == "TEXT" ? std::min(1, placeholders(component, "text"))
                                               : (format == "IMAGE" || format == "VIDEO" || format == "DOCUMENT");
            if (count > 0) expected["header"] = count;
        } else if (type == "BODY") {
            if (const int count = placeholders(component, "text"); count > 0) expected["body"] = count;
        } else if (type == "BUTTONS" && component.contains("buttons") && component["buttons"].is_array()) {
            for (std::size_t i = 0; i < component["buttons"].size(); ++i) {
                const auto& button = component["buttons"][i];
                const auto button_type = upper_string(button, "type");
                if (button_type == "COPY_CODE" || (button_type == "URL" && placeholders(button, "url") > 0)) {
                    expected["button:" + std::to_string(i)] = 1;
                }
            }
        }
    }
    return expected;
}

std::map<std::string, int> given_of(const json& sent) {
    std::map<std::string, int> given;
    if (!sent.contains("components") || !sent["components"].is_array()) return given;
    for (const auto& component : sent["components"]) {
        if (!component.is_object()) continue;
        const auto type = component.value("type", "");
        const auto count = component.contains("parameters") && component["parameters"].is_array()
                               ? static_cast<int>(component["parameters"].size())
                               : 0;
        const auto key = type == "button" ? "button:" + component.value("index", "") : type;
        given[key] += count;
    }
    return given;
}

}  // namespace

std::optional<GraphError> check_template_parameters(const MessageTemplate& stored, const json& sent) {
    if (expected_of(stored) == given_of(sent)) return std::nullopt;
    auto error = graph_error_for(132000);
    error.details = "Number of parameters does not match the expected number of params for template " + stored.name;
    return error;
}

}  // namespace fake_graph
