#include "inbox/storage/connection_string.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <utility>
#include <vector>

namespace inbox::storage {
namespace {

bool is_url(const std::string& conninfo) {
    return conninfo.rfind("postgres://", 0) == 0 || conninfo.rfind("postgresql://", 0) == 0;
}

// key=value form: a setting is present when some word starts with "key=" (libpq allows spaces around '=', which
// nobody writing these URLs uses; such a setting is then written twice and libpq takes the last, ours).
bool has_setting(const std::string& conninfo, const std::string& key) {
    for (std::size_t at = conninfo.find(key); at != std::string::npos; at = conninfo.find(key, at + 1)) {
        const bool word_start = at == 0 || conninfo[at - 1] == ' ';
        const auto after = at + key.size();
        if (word_start && after < conninfo.size() && conninfo[after] == '=') return true;
    }
    return false;
}

std::vector<std::pair<std::string, std::string>> settings_of(const ConnectionLimits& limits) {
    return {{"connect_timeout", std::to_string(limits.connect_timeout.count())},
            {"keepalives", "1"},
            {"keepalives_idle", std::to_string(limits.keepalive_idle.count())},
            {"keepalives_interval", std::to_string(limits.keepalive_interval.count())},
            {"keepalives_count", std::to_string(limits.keepalive_count)},
            {"tcp_user_timeout", std::to_string(limits.tcp_user_timeout.count())},
            {"application_name", limits.application_name}};
}

}  // namespace

std::string with_connection_limits(std::string conninfo, const ConnectionLimits& limits) {
    if (is_url(conninfo)) {
        auto parsed = boost::urls::parse_uri(conninfo);
        if (!parsed) return conninfo;  // libpq will say what is wrong with it
        boost::urls::url url(*parsed);
        for (auto& [key, value] : settings_of(limits)) {
            if (url.params().find(key) == url.params().end()) url.params().append({key, value});
        }
        return std::string(url.buffer());
    }
    for (auto& [key, value] : settings_of(limits)) {
        if (has_setting(conninfo, key)) continue;
        if (!conninfo.empty()) conninfo += ' ';
        conninfo += key + "=" + value;
    }
    return conninfo;
}

}  // namespace inbox::storage
