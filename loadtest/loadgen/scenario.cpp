#include "loadgen/scenario.hpp"

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "loadgen/scenario_error.hpp"

namespace inbox::loadgen {
namespace {

using nlohmann::json;

// Both set by the request writer itself; a scenario that sets them would produce a broken message.
const std::set<std::string> kReservedHeaders = {"host", "content-length", "transfer-encoding", "connection"};

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string read_file(const std::filesystem::path& path, const std::string& what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ScenarioError(what + ": cannot read " + path.string());
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

bool safe_in_header(std::string_view text) {
    for (char c : text) {
        if (c == '\r' || c == '\n' || c == '\0') return false;
    }
    return true;
}

std::vector<std::string> read_id_list(const std::filesystem::path& path, const std::string& what) {
    std::istringstream lines(read_file(path, what));
    std::vector<std::string> ids;
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line.front() == '#') continue;
        if (line.find_first_of(" \t\"") != std::string::npos) {
            throw ScenarioError(what + ": id \"" + line + "\" contains a space or quote");
        }
        ids.push_back(std::move(line));
    }
    if (ids.empty()) throw ScenarioError(what + ": " + path.string() + " has no ids (one per line)");
    return ids;
}

void check_keys(const json& object, const std::set<std::string>& allowed, const std::string& where) {
    for (const auto& [key, value] : object.items()) {
        if (!allowed.contains(key)) throw ScenarioError(where + ": unknown field \"" + key + "\"");
    }
}

const json& require(const json& object, const char* key, json::value_t type, const std::string& where) {
    if (!object.contains(key)) throw ScenarioError(where + ": missing \"" + key + "\"");
    const json& value = object.at(key);
    if (value.type() != type) {
        throw ScenarioError(where + ": \"" + key + "\" must be a " + json(type).type_name() + ", not " +
                            value.type_name());
    }
    return value;
}

Template compile_field(std::string_view text, const TemplateBindings& bindings, const std::string& where) {
    try {
        return Template::compile(text, bindings);
    } catch (const ScenarioError& e) {
        throw ScenarioError(where + ": " + e.what());
    }
}

RequestSpec parse_request(const json& entry, const std::string& where, const std::filesystem::path& base_dir,
                          const TemplateBindings& bindings) {
    if (!entry.is_object()) throw ScenarioError(where + ": must be an object");
    check_keys(entry,
               {"name", "weight", "method", "path", "headers", "body", "body_file", "sign_webhook", "unique_wamid"},
               where);
    RequestSpec spec;
    spec.name = require(entry, "name", json::value_t::string, where).get<std::string>();
    const std::string at = where + " (\"" + spec.name + "\")";
    if (spec.name.empty()) throw ScenarioError(where + ": \"name\" is empty");

    if (entry.contains("weight")) {
        const json& weight = entry.at("weight");
        if (!weight.is_number_integer() || weight.get<long long>() < 1 || weight.get<long long>() > 1'000'000) {
            throw ScenarioError(at + ": \"weight\" must be an integer from 1 to 1000000");
        }
        spec.weight = weight.get<unsigned>();
    }
    spec.method = entry.value("method", std::string("GET"));
    if (spec.method.empty() || spec.method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
        throw ScenarioError(at + ": \"method\" must be an upper-case HTTP method such as GET or POST");
    }
    const std::string path = require(entry, "path", json::value_t::string, at).get<std::string>();
    if (path.empty() || path.front() != '/') throw ScenarioError(at + ": \"path\" must start with '/'");
    spec.path = compile_field(path, bindings, at + ": path");

    if (entry.contains("headers")) {
        const json& headers = entry.at("headers");
        if (!headers.is_object()) throw ScenarioError(at + ": \"headers\" must be an object of strings");
        for (const auto& [name, value] : headers.items()) {
            if (!value.is_string()) throw ScenarioError(at + ": header \"" + name + "\" must be a string");
            if (kReservedHeaders.contains(lower(name))) {
                throw ScenarioError(at + ": header \"" + name + "\" is set by the load generator itself");
            }
            const std::string header_at = at + ": header \"" + name + "\"";
            if (name.empty() || !safe_in_header(name) || name.find_first_of(" :") != std::string::npos) {
                throw ScenarioError(header_at + ": invalid header name");
            }
            if (!safe_in_header(value.get<std::string>())) throw ScenarioError(header_at + ": contains a line break");
            Template compiled = compile_field(value.get<std::string>(), bindings, header_at);
            spec.headers.emplace_back(name, std::move(compiled));
        }
    }

    if (entry.contains("body") && entry.contains("body_file")) {
        throw ScenarioError(at + ": use either \"body\" or \"body_file\", not both");
    }
    if (entry.contains("body")) {
        const std::string body = require(entry, "body", json::value_t::string, at).get<std::string>();
        spec.body = compile_field(body, bindings, at + ": body");
    } else if (entry.contains("body_file")) {
        const std::filesystem::path file =
            base_dir / require(entry, "body_file", json::value_t::string, at).get<std::string>();
        spec.body = compile_field(read_file(file, at + ": body_file"), bindings, at + ": body_file");
    }

    if (entry.value("unique_wamid", false)) {
        if (!spec.body) throw ScenarioError(at + ": \"unique_wamid\" needs a \"body\" or \"body_file\"");
        spec.unique_wamids = spec.body->make_wamids_unique();
        if (spec.unique_wamids == 0) {
            throw ScenarioError(at + ": \"unique_wamid\" is set but the body has no \"id\": \"wamid...\" value");
        }
    }

    if (entry.contains("sign_webhook")) {
        const json& sign = entry.at("sign_webhook");
        const std::string sign_at = at + ": sign_webhook";
        if (!sign.is_object()) throw ScenarioError(sign_at + ": must be an object {\"secret_var\": \"name\"}");
        check_keys(sign, {"secret_var"}, sign_at);
        const auto secret_var = require(sign, "secret_var", json::value_t::string, sign_at).get<std::string>();
        const auto secret = bindings.vars.find(secret_var);
        if (secret == bindings.vars.end()) {
            throw ScenarioError(sign_at + ": variable \"" + secret_var + "\" is not set (pass --var " + secret_var +
                                "=... or put it in \"vars\")");
        }
        if (!spec.body) throw ScenarioError(sign_at + ": needs a \"body\" or \"body_file\"");
        spec.signing_secret = secret->second;
    }
    return spec;
}

}  // namespace

unsigned Scenario::total_weight() const {
    unsigned total = 0;
    for (const auto& request : requests) total += request.weight;
    return total;
}

Scenario parse_scenario(std::string_view json_text, const std::filesystem::path& base_dir, const VarMap& cli_vars) {
    json document;
    try {
        document = json::parse(json_text);
    } catch (const json::parse_error& e) {
        throw ScenarioError(std::string("invalid JSON: ") + e.what());
    }
    if (!document.is_object()) throw ScenarioError("the scenario must be a JSON object");
    check_keys(document, {"name", "requests", "vars", "id_lists"}, "scenario");

    Scenario scenario;
    scenario.name = document.value("name", std::string("scenario"));

    TemplateBindings bindings;
    if (document.contains("vars")) {
        const json& vars = require(document, "vars", json::value_t::object, "scenario");
        for (const auto& [name, value] : vars.items()) {
            if (!value.is_string()) throw ScenarioError("vars: \"" + name + "\" must be a string");
            bindings.vars[name] = value.get<std::string>();
        }
    }
    for (const auto& [name, value] : cli_vars) bindings.vars[name] = value;

    if (document.contains("id_lists")) {
        const json& lists = require(document, "id_lists", json::value_t::object, "scenario");
        for (const auto& [name, list] : lists.items()) {
            const std::string where = "id_lists: \"" + name + "\"";
            // "file.txt" (drawn at random) or {"file": "file.txt", "order": "random" | "sequential"}.
            std::string file;
            bool sequential = false;
            if (list.is_string()) {
                file = list.get<std::string>();
            } else if (list.is_object()) {
                check_keys(list, {"file", "order"}, where);
                file = require(list, "file", json::value_t::string, where).get<std::string>();
                const std::string order = list.value("order", "random");
                if (order != "random" && order != "sequential") {
                    throw ScenarioError(where + ": \"order\" must be \"random\" or \"sequential\"");
                }
                sequential = order == "sequential";
            } else {
                throw ScenarioError(where + ": must be a file name or {\"file\", \"order\"}");
            }
            if (bindings.vars.contains(name)) throw ScenarioError(where + ": also defined as a variable");
            if (sequential) bindings.in_order_lists.push_back(scenario.id_lists.size());
            bindings.id_lists[name] = scenario.id_lists.size();
            scenario.id_list_names.push_back(name);
            scenario.id_lists.push_back(read_id_list(base_dir / file, where));
        }
    }
    for (const auto& [name, value] : bindings.vars) {
        if (is_builtin_placeholder(name)) throw ScenarioError("vars: \"" + name + "\" is a built-in placeholder");
    }
    for (const auto& name : scenario.id_list_names) {
        if (is_builtin_placeholder(name)) throw ScenarioError("id_lists: \"" + name + "\" is a built-in placeholder");
    }

    const json& requests = require(document, "requests", json::value_t::array, "scenario");
    if (requests.empty()) throw ScenarioError("scenario: \"requests\" is empty");
    std::set<std::string> names;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        RequestSpec spec = parse_request(requests[i], "requests[" + std::to_string(i) + "]", base_dir, bindings);
        if (!names.insert(spec.name).second) {
            throw ScenarioError("requests[" + std::to_string(i) + "]: duplicate name \"" + spec.name + "\"");
        }
        scenario.requests.push_back(std::move(spec));
    }
    return scenario;
}

Scenario load_scenario(const std::filesystem::path& file, const VarMap& cli_vars) {
    const std::string where = file.string();
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ScenarioError(where + ": cannot read the scenario file");
    std::ostringstream content;
    content << in.rdbuf();
    try {
        return parse_scenario(content.str(), file.parent_path(), cli_vars);
    } catch (const ScenarioError& e) {
        throw ScenarioError(where + ": " + e.what());
    }
}

}  // namespace inbox::loadgen
