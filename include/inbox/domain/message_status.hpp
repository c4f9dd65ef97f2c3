#pragma once
// Message statuses and the order in which a stored status may change (API.md, "Objects").
//
// Inbound messages are `received` and never change. Outbound messages move only forward along
//     pending < sent < failed < delivered < read
// whatever order Meta's status webhooks arrive in (delivery is unordered and at-least-once; `delivered` may be
// skipped). `failed` overrides `sent`/`pending` and its error is stored with it; a `delivered` or `read` seen before
// or after wins over `failed` because the message did reach the user — the caller keeps the recorded error then.
#include <optional>
#include <string_view>

namespace inbox::domain {

enum class MessageStatus { received, pending, sent, failed, delivered, read };

// The lower-case names used by Meta and by our API; nullopt for anything else (case-sensitive).
std::optional<MessageStatus> parse_status(std::string_view text);
std::string_view to_string(MessageStatus status);

// Position in the outbound order: pending 1, sent 2, failed 3, delivered 4, read 5. `received` is 0 and sits
// outside that order (see status_advances).
int rank(MessageStatus status);

// Whether a message whose stored status is `current` should take `incoming`: true only when `incoming` ranks higher.
// An equal status is not an advance (so a redelivered webhook changes nothing), `received` never moves and is never
// the target of a move. A `failed` that does not advance (after delivered/read) still carries an error the caller
// should record.
bool status_advances(MessageStatus current, MessageStatus incoming);

}  // namespace inbox::domain
