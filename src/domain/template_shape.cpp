#include "inbox/domain/template_shape.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "inbox/domain/outbound_text.hpp"
#include "inbox/domain/utf8.hpp"

namespace inbox::domain {
namespace {

using nlohmann::json;

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
    return text;
}

std::string string_member(const json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

HeaderFormat header_format_of(const std::string& format) {
    if (format == "TEXT") return HeaderFormat::text;
    if (format == "IMAGE") return HeaderFormat::image;
    if (format == "VIDEO") return HeaderFormat::video;
    if (format == "DOCUMENT") return HeaderFormat::document;
    if (format == "LOCATION") return HeaderFormat::location;
    return HeaderFormat::none;
}

// A URL button takes its suffix when the URL ends in a placeholder; a copy-code button always takes its code.
int button_parameters(const json& button, const std::string& type) {
    if (type == "COPY_CODE") return 1;
    if (type == "URL") return count_template_placeholders(string_member(button, "url")) > 0 ? 1 : 0;
    return 0;
}

void read_buttons(const json& component, TemplateShape& shape) {
    const auto buttons = component.find("buttons");
    if (buttons == component.end() || !buttons->is_array()) return;
    int index = 0;
    for (const auto& button : *buttons) {
        if (!button.is_object()) continue;
        auto type = upper(string_member(button, "type"));
        const int count = button_parameters(button, type);
        shape.buttons.push_back({index++, std::move(type), count});
    }
}

void read_component(const json& component, TemplateShape& shape) {
    const auto type = upper(string_member(component, "type"));
    if (type == "HEADER") {
        shape.header_format = header_format_of(upper(string_member(component, "format")));
        if (shape.header_format == HeaderFormat::text) {
            shape.header_parameters = count_template_placeholders(string_member(component, "text")) > 0 ? 1 : 0;
        } else if (header_media_kind(shape.header_format)) {
            shape.header_parameters = 1;
        }
    } else if (type == "BODY") {
        shape.body_text = string_member(component, "text");
        shape.body_parameters = count_template_placeholders(shape.body_text);
    } else if (type == "BUTTONS") {
        read_buttons(component, shape);
    }
}

std::string count_words(int count, const char* one) {
    return std::to_string(count) + " " + one + (count == 1 ? "" : "s");
}

std::optional<std::string> header_problem(const TemplateShape& shape, const std::optional<TemplateHeaderValue>& header) {
    if (shape.header_parameters == 0) {
        if (header) return std::string("header: this template's header takes no parameter (send null)");
        return std::nullopt;
    }
    if (shape.header_format == HeaderFormat::text) {
        if (!header || !header->text) return std::string("header: this template's TEXT header needs {\"text\": \"...\"}");
        if (template_parameter_text(*header->text).empty()) return std::string("header: text must not be blank");
        if (utf8_length(*header->text) > kMaxTemplateHeaderTextCharacters) {
            return "header: text must be at most " + std::to_string(kMaxTemplateHeaderTextCharacters) + " characters";
        }
        return std::nullopt;
    }
    if (!header || !header->upload_id) {
        return "header: this template's " + std::string(to_string(shape.header_format)) +
               " header needs {\"upload_id\": \"...\"}";
    }
    return std::nullopt;
}

std::optional<std::string> body_problem(const TemplateShape& shape, const std::vector<std::string>& body) {
    if (static_cast<int>(body.size()) != shape.body_parameters) {
        return "body: this template takes " + count_words(shape.body_parameters, "parameter") + ", " +
               std::to_string(body.size()) + " given";
    }
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (template_parameter_text(body[i]).empty()) return "body: parameter " + std::to_string(i + 1) + " is blank";
    }
    if (utf8_length(filled_template_body(shape.body_text, body)) > kMaxTemplateBodyCharacters) {
        return "body: the filled body must be at most " + std::to_string(kMaxTemplateBodyCharacters) + " characters";
    }
    return std::nullopt;
}

std::optional<std::string> buttons_problem(const TemplateShape& shape, const std::vector<TemplateButtonValue>& buttons) {
    std::vector<int> wanted;
    for (const auto& button : shape.buttons) {
        if (button.parameter_count > 0) wanted.push_back(button.index);
    }
    std::vector<int> given;
    for (const auto& button : buttons) given.push_back(button.index);
    if (given != wanted) {
        std::string indexes;
        for (int index : wanted) indexes += (indexes.empty() ? "" : ", ") + std::to_string(index);
        return "buttons: this template takes a parameter for " +
               (wanted.empty() ? std::string("no button") : "the buttons at index " + indexes) + ", in that order";
    }
    for (const auto& button : buttons) {
        if (template_parameter_text(button.text).empty()) {
            return "buttons: the text of button " + std::to_string(button.index) + " is blank";
        }
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(HeaderFormat format) {
    switch (format) {
    case HeaderFormat::none: return "";
    case HeaderFormat::text: return "TEXT";
    case HeaderFormat::image: return "IMAGE";
    case HeaderFormat::video: return "VIDEO";
    case HeaderFormat::document: return "DOCUMENT";
    case HeaderFormat::location: return "LOCATION";
    }
    return "";
}

std::optional<std::string_view> header_media_kind(HeaderFormat format) {
    switch (format) {
    case HeaderFormat::image: return "image";
    case HeaderFormat::video: return "video";
    case HeaderFormat::document: return "document";
    default: return std::nullopt;
    }
}

int count_template_placeholders(std::string_view text) {
    std::set<int> seen;
    for (std::size_t at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", at + 2)) {
        const auto close = text.find("}}", at + 2);
        if (close == std::string_view::npos) break;
        const auto inside = text.substr(at + 2, close - at - 2);
        int number = 0;
        const auto [end, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), number);
        if (ec == std::errc() && end == inside.data() + inside.size() && number > 0) seen.insert(number);
    }
    return static_cast<int>(seen.size());
}

TemplateShape template_shape_of(std::string_view components_json, std::string_view fallback_body) {
    TemplateShape shape;
    const auto components = json::parse(components_json, nullptr, false);
    if (components.is_discarded() || !components.is_array() || components.empty()) {
        shape.body_text = std::string(fallback_body);
        shape.body_parameters = count_template_placeholders(fallback_body);
        return shape;
    }
    for (const auto& component : components) {
        if (component.is_object()) read_component(component, shape);
    }
    return shape;
}

std::optional<std::string> template_values_problem(const TemplateShape& shape, const TemplateValues& values) {
    if (shape.header_format == HeaderFormat::location) {
        return std::string("header: LOCATION headers cannot be sent from the inbox");
    }
    if (auto problem = header_problem(shape, values.header)) return problem;
    if (auto problem = body_problem(shape, values.body)) return problem;
    return buttons_problem(shape, values.buttons);
}

TemplateValues fit_to(const TemplateShape& shape, TemplateValues values) {
    if (values.header) values.header->media_kind = std::string(header_media_kind(shape.header_format).value_or(""));
    for (auto& button : values.buttons) {
        for (const auto& known : shape.buttons) {
            if (known.index == button.index) button.type = known.type;
        }
    }
    return values;
}

std::string filled_template_body(std::string_view body_text, const std::vector<std::string>& values) {
    std::string out;
    out.reserve(body_text.size());
    std::size_t at = 0;
    while (at < body_text.size()) {
        const auto open = body_text.find("{{", at);
        const auto close = open == std::string_view::npos ? open : body_text.find("}}", open + 2);
        if (close == std::string_view::npos) break;
        const auto inside = body_text.substr(open + 2, close - open - 2);
        std::size_t number = 0;
        const auto [end, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), number);
        out.append(body_text.substr(at, open - at));
        if (ec == std::errc() && end == inside.data() + inside.size() && number >= 1 && number <= values.size()) {
            out.append(template_parameter_text(values[number - 1]));
        } else {
            out.append(body_text.substr(open, close + 2 - open));
        }
        at = close + 2;
    }
    out.append(body_text.substr(std::min(at, body_text.size())));
    return out;
}

}  // namespace inbox::domain
