#pragma once
// Parses `--name value` and `--flag` arguments against the options a command declares.
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace inbox::app {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    std::string name;  // without the leading dashes
    bool takes_value = true;
    bool required = false;
};

class ParsedArgs {
public:
    std::optional<std::string> value(const std::string& name) const;
    const std::string& required(const std::string& name) const;  // checked by parse_args already
    bool flag(const std::string& name) const { return flags_.count(name) > 0; }
    bool help() const { return help_; }

private:
    friend ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);
    std::map<std::string, std::string> values_;
    std::set<std::string> flags_;
    bool help_ = false;
};

// Throws UsageError naming the offending argument. `--help`/`-h` anywhere short-circuits validation.
ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

}  // namespace inbox::app
