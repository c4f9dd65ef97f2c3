#pragma once
// Message templates per WABA with Graph-style cursor paging. Thread-safe; no I/O.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fake_graph {

inline constexpr std::string_view kAnyWaba = "*";  // templates preloaded without a waba_id: every WABA sees them

struct MessageTemplate {
    std::string id;
    std::string waba_id{kAnyWaba};
    std::string name;
    std::string language = "en_US";
    std::string status = "APPROVED";
    std::string category = "MARKETING";
    nlohmann::json components = nlohmann::json::array();
};

struct TemplatePage {
    std::vector<MessageTemplate> items;
    std::string before;  // cursor of the first item ("" on an empty page)
    std::string after;   // cursor of the last item
    bool has_more = false;
};

// {"name", "language"?, "status"?, "category"?, "components"? | "body_text"?, "id"?, "waba_id"?};
// throws std::invalid_argument.
MessageTemplate template_from_json(const nlohmann::json& value);
nlohmann::json to_json(const MessageTemplate& t);

class TemplateStore {
public:
    MessageTemplate add(MessageTemplate t);  // assigns an id when it has none

    // The page of `waba_id`'s templates after cursor `after` (empty: from the start); an unknown cursor
    // throws std::invalid_argument, as Graph refuses it.
    TemplatePage page(const std::string& waba_id, std::size_t limit, const std::string& after) const;

    // The template of that name and language on any WABA (a send names its number, not its WABA).
    std::optional<MessageTemplate> find(const std::string& name, const std::string& language) const;

    void clear();

private:
    mutable std::mutex mutex_;
    std::vector<MessageTemplate> templates_;  // insertion order is the listing order
    std::uint64_t next_id_ = 1'000'000'000'000'001ULL;
};

}  // namespace fake_graph
