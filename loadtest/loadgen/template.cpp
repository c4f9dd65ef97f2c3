#include "loadgen/template.hpp"

#include <charconv>
#include <cstdio>

#include "loadgen/scenario_error.hpp"
#include "loadgen/wamid.hpp"

namespace inbox::loadgen {
namespace {

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";

std::string_view trim(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

bool valid_name(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

void append_number(std::string& out, auto value) {
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

}  // namespace

bool is_builtin_placeholder(std::string_view name) {
    return name == kBuiltinUuid || name == kBuiltinSeq || name == kBuiltinNowUnix;
}

Template Template::compile(std::string_view text, const TemplateBindings& bindings) {
    Template result;
    std::string literal;
    auto flush_literal = [&] {
        if (literal.empty()) return;
        result.size_hint_ += literal.size();
        result.segments_.push_back({Kind::literal, std::move(literal), 0});
        literal.clear();
    };

    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t open = text.find(kOpen, pos);
        if (open == std::string_view::npos) {
            literal.append(text.substr(pos));
            break;
        }
        literal.append(text.substr(pos, open - pos));
        const std::size_t close = text.find(kClose, open + kOpen.size());
        if (close == std::string_view::npos) {
            throw ScenarioError("unterminated placeholder at offset " + std::to_string(open) + " (missing \"}}\")");
        }
        const std::string_view name = trim(text.substr(open + kOpen.size(), close - open - kOpen.size()));
        if (!valid_name(name)) {
            throw ScenarioError("invalid placeholder \"" + std::string(text.substr(open, close + 2 - open)) +
                                "\" (names use letters, digits, '_', '-', '.')");
        }
        pos = close + kClose.size();

        if (auto var = bindings.vars.find(name); var != bindings.vars.end()) {
            literal.append(var->second);  // constants fold into the surrounding literal
            continue;
        }
        flush_literal();
        if (auto list = bindings.id_lists.find(name); list != bindings.id_lists.end()) {
            const auto& in_order = bindings.in_order_lists;
            const bool ordered = std::find(in_order.begin(), in_order.end(), list->second) != in_order.end();
            result.segments_.push_back({ordered ? Kind::id_list_in_order : Kind::id_list, {}, list->second});
        } else if (name == kBuiltinUuid) {
            result.segments_.push_back({Kind::uuid, {}, 0});
        } else if (name == kBuiltinSeq) {
            result.segments_.push_back({Kind::seq, {}, 0});
        } else if (name == kBuiltinNowUnix) {
            result.segments_.push_back({Kind::now_unix, {}, 0});
        } else {
            throw ScenarioError("unknown placeholder {{" + std::string(name) + "}}: define it with --var " +
                                std::string(name) + "=..., in \"vars\" or in \"id_lists\"");
        }
        result.size_hint_ += 36;
    }
    flush_literal();
    return result;
}

std::size_t Template::make_wamids_unique() {
    std::vector<Segment> rewritten;
    std::map<std::string, std::size_t, std::less<>> slots;  // original wamid -> slot
    for (auto& segment : segments_) {
        if (segment.kind != Kind::literal) {
            rewritten.push_back(std::move(segment));
            continue;
        }
        const std::string& text = segment.text;
        std::size_t pos = 0;
        for (const TextSpan& span : find_wamid_values(text)) {
            if (span.offset > pos) rewritten.push_back({Kind::literal, text.substr(pos, span.offset - pos), 0});
            const std::string original = text.substr(span.offset, span.length);
            const auto [slot, inserted] = slots.try_emplace(original, slots.size());
            rewritten.push_back({Kind::wamid, {}, slot->second});
            pos = span.offset + span.length;
        }
        if (pos < text.size()) rewritten.push_back({Kind::literal, text.substr(pos), 0});
    }
    segments_ = std::move(rewritten);
    return slots.size();
}

void Template::render_to(std::string& out, RenderContext& context) const {
    for (const Segment& segment : segments_) {
        switch (segment.kind) {
            case Kind::literal:
                out.append(segment.text);
                break;
            case Kind::id_list: {
                const auto& ids = context.id_lists.at(segment.index);
                std::uniform_int_distribution<std::size_t> pick(0, ids.size() - 1);
                out.append(ids[pick(context.rng)]);
                break;
            }
            case Kind::id_list_in_order: {
                // Each id once while the list lasts (e.g. an upload per send), then from the start again.
                const auto& ids = context.id_lists.at(segment.index);
                out.append(ids[context.seq % ids.size()]);
                break;
            }
            case Kind::uuid:
                out.append(random_uuid(context.rng));
                break;
            case Kind::seq:
                append_number(out, context.seq);
                break;
            case Kind::now_unix:
                append_number(out, context.now_unix);
                break;
            case Kind::wamid:
                out.append(make_unique_wamid(context.run_id, context.seq, segment.index));
                break;
        }
    }
}

std::string Template::render(RenderContext& context) const {
    std::string out;
    out.reserve(size_hint_);
    render_to(out, context);
    return out;
}

std::string random_uuid(std::mt19937_64& rng) {
    const std::uint64_t high = (rng() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
    const std::uint64_t low = (rng() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;   // RFC 4122 variant
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%08llx-%04llx-%04llx-%04llx-%012llx",
                  static_cast<unsigned long long>(high >> 32), static_cast<unsigned long long>((high >> 16) & 0xFFFF),
                  static_cast<unsigned long long>(high & 0xFFFF), static_cast<unsigned long long>(low >> 48),
                  static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
    return buffer;
}

}  // namespace inbox::loadgen
