#pragma once
// Writes JSON text straight into a string. The list routes answer with it instead of building an nlohmann tree
// first: building and dumping trees was ~40 % of the server's CPU on inbox reads (docs/PERFORMANCE.md).
//   - Commas between members and elements are placed by the writer; keys and values are called in document order.
//   - Strings are escaped per RFC 8259; each ill-formed UTF-8 sequence becomes one U+FFFD, as in
//     nlohmann's dump(error_handler::replace).
//   - raw() embeds text that already is JSON (a jsonb column as Postgres prints it) without re-parsing it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inbox::http {

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();

    JsonWriter& key(std::string_view name);
    JsonWriter& string(std::string_view text);
    JsonWriter& string(const std::string& text) { return string(std::string_view(text)); }
    JsonWriter& string(const char* text) { return string(std::string_view(text)); }
    JsonWriter& string(const std::optional<std::string>& text);  // null when empty
    JsonWriter& number(std::int64_t value);
    JsonWriter& number(const std::optional<std::int64_t>& value);  // null when empty
    JsonWriter& boolean(bool value);
    JsonWriter& null();
    JsonWriter& raw(std::string_view json);

    // The text written so far; the writer is empty afterwards.
    std::string take();

private:
    void before_value();
    JsonWriter& open(char bracket);
    JsonWriter& close(char bracket);

    std::string out_;
    std::vector<bool> has_members_;  // per open object/array: something was written, so the next needs a comma
    bool after_key_ = false;
};

// `text` as a quoted, escaped JSON string appended to `out`.
void append_json_string(std::string& out, std::string_view text);

}  // namespace inbox::http
