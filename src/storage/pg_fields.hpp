#pragma once
// Reading nullable columns and passing times to Postgres without losing precision (private to storage/).
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "inbox/domain/time.hpp"

namespace inbox::storage {

// SQL for a timestamptz as whole microseconds since the epoch (extract() is numeric in Postgres 15: exact).
#define INBOX_PG_MICROS(column) "(extract(epoch FROM " column ") * 1000000)::bigint"

std::optional<std::string> optional_text(const pqxx::field& field);
std::optional<std::int64_t> optional_int64(const pqxx::field& field);
domain::TimePoint time_from_micros(const pqxx::field& field);
std::optional<domain::TimePoint> optional_time_from_micros(const pqxx::field& field);

// `time` as a timestamptz literal with microseconds, rounded up to the next microsecond: for a column of
// microsecond precision, `column < literal` then means exactly `column < time`.
std::string to_pg_timestamp_ceil(domain::TimePoint time);

}  // namespace inbox::storage
