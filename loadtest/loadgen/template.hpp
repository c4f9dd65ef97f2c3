#pragma once

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace inbox::loadgen {

// What a placeholder name may resolve to when a template is compiled.
struct TemplateBindings {
    std::map<std::string, std::string, std::less<>> vars;      // constants (--var overrides "vars")
    std::map<std::string, std::size_t, std::less<>> id_lists;  // name -> index into RenderContext::id_lists
    std::vector<std::size_t> in_order_lists;  // lists drawn in order (request seq), not at random
};

// Per-request state a template draws from when rendered.
struct RenderContext {
    std::mt19937_64& rng;
    const std::vector<std::vector<std::string>>& id_lists;
    std::uint64_t seq = 0;      // the request's sequence number in the run
    std::int64_t now_unix = 0;  // the request's scheduled send time, Unix seconds
    std::uint64_t run_id = 0;   // distinguishes this run's unique wamids from another run's
};

// Built-in placeholders; these names cannot be redefined by vars or id lists.
inline constexpr std::string_view kBuiltinUuid = "uuid";
inline constexpr std::string_view kBuiltinSeq = "seq";
inline constexpr std::string_view kBuiltinNowUnix = "now_unix";
bool is_builtin_placeholder(std::string_view name);

// A text with `{{name}}` placeholders, compiled once at load time (an unknown name is an error then, not per
// request) into literal and dynamic segments so rendering is a few appends.
class Template {
public:
    Template() = default;

    // Throws ScenarioError for an unterminated or empty placeholder or an unknown name.
    static Template compile(std::string_view text, const TemplateBindings& bindings);

    // Turns the value of every `"id": "wamid.XXX"` member into a fresh wamid per render; equal original
    // values stay equal within one render. Returns the number of distinct wamids.
    std::size_t make_wamids_unique();

    void render_to(std::string& out, RenderContext& context) const;
    std::string render(RenderContext& context) const;

    bool empty() const { return segments_.empty(); }
    std::size_t size_hint() const { return size_hint_; }

private:
    enum class Kind { literal, id_list, id_list_in_order, uuid, seq, now_unix, wamid };
    struct Segment {
        Kind kind = Kind::literal;
        std::string text;       // literal text
        std::size_t index = 0;  // id list index or wamid slot
    };

    std::vector<Segment> segments_;
    std::size_t size_hint_ = 0;
};

// A random (version 4) UUID drawn from rng, lower-case and hyphenated.
std::string random_uuid(std::mt19937_64& rng);

}  // namespace inbox::loadgen
