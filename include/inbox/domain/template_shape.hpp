#pragma once
// What a message template asks of a send (API.md Part 2, "Templates with components"): Meta's components as synced,
// reduced to the parameters a send must supply, and the check and filling of a send's values against them. Pure:
// the route and the send service decide with these before anything is stored or sent.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inbox::domain {

enum class HeaderFormat { none, text, image, video, document, location };

// "TEXT", "IMAGE", ... as Meta writes it; "" for none.
std::string_view to_string(HeaderFormat format);
// The upload kind a media header takes ("image", "video", "document"); nullopt for none, text and location.
std::optional<std::string_view> header_media_kind(HeaderFormat format);

struct TemplateButton {
    int index = 0;            // its position among the template's buttons (Meta's `index`)
    std::string type;         // Meta's: URL, QUICK_REPLY, PHONE_NUMBER, COPY_CODE, FLOW, ...
    int parameter_count = 0;  // 1 for a URL with a {{1}} suffix and for COPY_CODE; 0 for the others
};

struct TemplateShape {
    HeaderFormat header_format = HeaderFormat::none;
    int header_parameters = 0;  // 1 for a media header or a TEXT header with {{1}}; 0 otherwise
    std::string body_text;
    int body_parameters = 0;    // distinct {{n}} placeholders of the body
    std::vector<TemplateButton> buttons;
};

// Distinct {{n}} placeholders ("Hi {{1}}, {{2}} and {{1}}" → 2).
int count_template_placeholders(std::string_view text);

// Reads Meta's `components` array (JSON text). Entries that are not objects, and component types we do not know,
// are skipped; without components (a template stored before they were synced) the shape is `fallback_body` alone.
TemplateShape template_shape_of(std::string_view components_json, std::string_view fallback_body);

// What a send fills in (API.md: `header`, `body`, `buttons` of POST /messages/send-template).
struct TemplateHeaderValue {
    std::optional<std::string> text;       // a TEXT header's parameter
    std::optional<std::string> upload_id;  // a media header's upload (lower-case UUID)
    std::string media_kind;                // the header's upload kind, once checked (fit_to)
};
struct TemplateButtonValue {
    int index = 0;
    std::string text;  // the URL suffix, or the code of a COPY_CODE button
    std::string type;  // the template's type for that button, once checked (fit_to)
};
struct TemplateValues {
    std::optional<TemplateHeaderValue> header;
    std::vector<std::string> body;
    std::vector<TemplateButtonValue> buttons;  // in ascending index order, each index once
};

inline constexpr std::size_t kMaxTemplateHeaderTextCharacters = 60;  // Meta's limit for a filled text header

// nullopt when `values` fit `shape` exactly; else the sentence for 422 validation_failed, naming the component.
std::optional<std::string> template_values_problem(const TemplateShape& shape, const TemplateValues& values);

// `values` with what the template says of them filled in (a media header's kind, each button's type), so they
// can be sent without the template at hand. Call after template_values_problem found nothing.
TemplateValues fit_to(const TemplateShape& shape, TemplateValues values);

// The body with each {{n}} replaced by the n-th body value as it is sent (template_parameter_text); an {{n}}
// without a value stays as it is.
std::string filled_template_body(std::string_view body_text, const std::vector<std::string>& values);

}  // namespace inbox::domain
