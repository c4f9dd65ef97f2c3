#pragma once
// Points in time as the domain sees them, and their two text forms: RFC 3339 (our JSON output and the message list's
// `before` cursor) and Meta's strings of Unix seconds (webhook timestamps).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace inbox::domain {

using TimePoint = std::chrono::system_clock::time_point;

// UTC with seconds precision, e.g. `2026-11-24T10:00:00Z` (sub-second parts are truncated toward the past).
std::string to_rfc3339(TimePoint time);

// UTC with milliseconds, e.g. `2026-11-24T10:00:00.250Z`.
std::string to_rfc3339_millis(TimePoint time);

// Strict RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)`; `t`/`z` may be lower case (§5.6).
// Rejects anything else: a missing zone, a space instead of `T`, impossible dates (month 13, 30 February), leap
// second 60 (a time_point cannot represent it), trailing characters, and times the clock cannot represent.
// Fractions keep nanoseconds; further digits are accepted and dropped.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

// Meta's webhook timestamps: a non-empty string of decimal digits, seconds since the Unix epoch. Signs, spaces,
// fractions and values the clock cannot represent are rejected.
std::optional<TimePoint> parse_unix_seconds(std::string_view text);

}  // namespace inbox::domain
