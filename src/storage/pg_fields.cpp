#include "pg_fields.hpp"

#include <chrono>
#include <cstdio>

namespace inbox::storage {

std::optional<std::string> optional_text(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return field.as<std::string>();
}

std::optional<std::int64_t> optional_int64(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return field.as<std::int64_t>();
}

domain::TimePoint time_from_micros(const pqxx::field& field) {
    return domain::TimePoint{
        std::chrono::duration_cast<domain::TimePoint::duration>(std::chrono::microseconds{field.as<std::int64_t>()})};
}

std::optional<domain::TimePoint> optional_time_from_micros(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return time_from_micros(field);
}

std::string to_pg_timestamp_ceil(domain::TimePoint time) {
    const auto micros = std::chrono::ceil<std::chrono::microseconds>(time);
    const auto seconds = std::chrono::floor<std::chrono::seconds>(micros);
    auto text = domain::to_rfc3339(seconds);  // "...:SSZ"
    // The value is 0..999999; the buffer fits any long long so the optimiser's range check is satisfied too.
    char fraction[24];
    std::snprintf(fraction, sizeof fraction, ".%06lld", static_cast<long long>((micros - seconds).count()));
    text.insert(text.size() - 1, fraction);
    return text;
}

}  // namespace inbox::storage
