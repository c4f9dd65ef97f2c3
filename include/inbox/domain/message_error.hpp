#pragma once
// An error Meta attached to a message or a status (`errors[0]`), as the API shows it under `message.error`.
#include <optional>
#include <string>

namespace inbox::domain {

struct MessageError {
    int code = 0;  // Meta's error code, e.g. 131047; 0 when Meta sent none
    std::string title;
    std::optional<std::string> details;  // `error_data.details`, else `message`

    bool operator==(const MessageError&) const = default;
};

}  // namespace inbox::domain
