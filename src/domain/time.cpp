#include "inbox/domain/time.hpp"

#include <cstdint>
#include <string>

namespace inbox::domain {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::seconds;

// The whole seconds a TimePoint can hold, with a second of margin so a fraction added later cannot overflow.
constexpr std::int64_t kMinSeconds = floor<seconds>(TimePoint::min()).time_since_epoch().count() + 1;
constexpr std::int64_t kMaxSeconds = floor<seconds>(TimePoint::max()).time_since_epoch().count() - 1;

// Writes `value` as exactly `width` digits ending just before `end`; returns where it started.
char* put_digits(char* end, unsigned value, int width) {
    for (int i = 0; i < width; ++i) {
        *--end = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return end;
}

// Hand-formatted (no snprintf): every timestamp of every listed message and conversation goes through here.
std::string format_utc(TimePoint time, bool with_millis) {
    const auto whole_seconds = floor<seconds>(time);
    const auto day = floor<days>(whole_seconds);
    const std::chrono::year_month_day date{day};
    const std::chrono::hh_mm_ss clock{whole_seconds - day};
    std::string out = with_millis ? "0000-00-00T00:00:00.000Z" : "0000-00-00T00:00:00Z";
    char* const text = out.data();
    put_digits(text + 7, static_cast<unsigned>(date.month()), 2);
    put_digits(text + 10, static_cast<unsigned>(date.day()), 2);
    put_digits(text + 13, static_cast<unsigned>(clock.hours().count()), 2);
    put_digits(text + 16, static_cast<unsigned>(clock.minutes().count()), 2);
    put_digits(text + 19, static_cast<unsigned>(clock.seconds().count()), 2);
    if (with_millis) {
        const auto millis = floor<std::chrono::milliseconds>(time - whole_seconds).count();
        put_digits(text + 23, static_cast<unsigned>(millis), 3);
    }
    const int year = static_cast<int>(date.year());
    if (year < 0 || year > 9999) return std::to_string(year) + out.substr(4);  // beyond RFC 3339, as %04d did
    put_digits(text + 4, static_cast<unsigned>(year), 4);
    return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads fixed-width fields of an RFC 3339 string left to right; every read fails once one has failed.
class Reader {
public:
    explicit Reader(std::string_view text) : text_(text) {}

    bool digits(std::size_t count, int& out) {
        if (text_.size() - pos_ < count) return false;
        int value = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const char c = text_[pos_ + i];
            if (!is_digit(c)) return false;
            value = value * 10 + (c - '0');
        }
        pos_ += count;
        out = value;
        return true;
    }

    bool literal(char expected) {
        return accept([&](char c) { return c == expected; });
    }
    bool either(char a, char b) {
        return accept([&](char c) { return c == a || c == b; });
    }
    bool peek_is(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
    bool peek_digit() const { return pos_ < text_.size() && is_digit(text_[pos_]); }
    char take() { return text_[pos_++]; }
    bool at_end() const { return pos_ == text_.size(); }

private:
    template <typename Predicate>
    bool accept(Predicate matches) {
        if (pos_ >= text_.size() || !matches(text_[pos_])) return false;
        ++pos_;
        return true;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

std::string to_rfc3339(TimePoint time) { return format_utc(time, false); }

std::string to_rfc3339_millis(TimePoint time) { return format_utc(time, true); }

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
    Reader in{text};
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!(in.digits(4, year) && in.literal('-') && in.digits(2, month) && in.literal('-') && in.digits(2, day) &&
          in.either('T', 't') && in.digits(2, hour) && in.literal(':') && in.digits(2, minute) && in.literal(':') &&
          in.digits(2, second))) {
        return std::nullopt;
    }

    std::int64_t nanos = 0;
    if (in.literal('.')) {
        if (!in.peek_digit()) return std::nullopt;
        int kept = 0;
        while (in.peek_digit()) {
            const int digit = in.take() - '0';
            if (kept < 9) {
                nanos = nanos * 10 + digit;
                ++kept;
            }
        }
        for (; kept < 9; ++kept) nanos *= 10;
    }

    int offset_minutes = 0;
    if (!in.either('Z', 'z')) {
        int sign = 0;
        if (in.literal('+')) {
            sign = 1;
        } else if (in.literal('-')) {
            sign = -1;
        } else {
            return std::nullopt;
        }
        int offset_hour = 0, offset_minute = 0;
        if (!(in.digits(2, offset_hour) && in.literal(':') && in.digits(2, offset_minute))) return std::nullopt;
        if (offset_hour > 23 || offset_minute > 59) return std::nullopt;
        offset_minutes = sign * (offset_hour * 60 + offset_minute);
    }
    if (!in.at_end()) return std::nullopt;

    const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;

    // Local time minus its offset is UTC.
    const std::int64_t seconds_since_epoch = std::chrono::sys_days{date}.time_since_epoch() / seconds{1} + hour * 3600 +
                                             minute * 60 + second - offset_minutes * 60;
    if (seconds_since_epoch < kMinSeconds || seconds_since_epoch > kMaxSeconds) return std::nullopt;
    return TimePoint{std::chrono::duration_cast<TimePoint::duration>(seconds{seconds_since_epoch}) +
                     std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds{nanos})};
}

std::optional<TimePoint> parse_unix_seconds(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t value = 0;
    for (const char c : text) {
        if (!is_digit(c)) return std::nullopt;
        value = value * 10 + (c - '0');
        if (value > kMaxSeconds) return std::nullopt;
    }
    return TimePoint{std::chrono::duration_cast<TimePoint::duration>(seconds{value})};
}

}  // namespace inbox::domain
