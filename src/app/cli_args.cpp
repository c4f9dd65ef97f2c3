#include "inbox/app/cli_args.hpp"

#include <algorithm>

namespace inbox::app {

std::optional<std::string> ParsedArgs::value(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

const std::string& ParsedArgs::required(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) throw UsageError("missing --" + name);
    return it->second;
}

ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs) {
    ParsedArgs parsed;
    if (std::find_if(args.begin(), args.end(), [](const auto& a) { return a == "--help" || a == "-h"; }) !=
        args.end()) {
        parsed.help_ = true;
        return parsed;
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& arg = args[i];
        if (arg.rfind("--", 0) != 0 || arg.size() == 2) throw UsageError("unexpected argument '" + arg + "'");
        auto name = arg.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        auto spec = std::find_if(specs.begin(), specs.end(), [&](const auto& s) { return s.name == name; });
        if (spec == specs.end()) throw UsageError("unknown option --" + name);
        if (!spec->takes_value) {
            if (inline_value) throw UsageError("--" + name + " takes no value");
            parsed.flags_.insert(name);
            continue;
        }
        if (!inline_value) {
            if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
            inline_value = args[++i];
        }
        if (inline_value->empty()) throw UsageError("--" + name + " must not be empty");
        parsed.values_[name] = *inline_value;
    }
    for (const auto& spec : specs) {
        if (spec.required && !parsed.values_.count(spec.name)) throw UsageError("missing --" + spec.name);
    }
    return parsed;
}

}  // namespace inbox::app
