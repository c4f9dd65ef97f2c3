#pragma once
// A template send checked as Meta checks it: the parameters each component of the stored template asks for (a
// header with a placeholder or media, the body's placeholders, URL buttons with a placeholder and copy-code
// buttons) against the send's `components`. Written here from Meta's documentation, not shared with the server,
// so the server's own counting is tested against an independent one.
#include <nlohmann/json.hpp>
#include <optional>

#include "fake_graph/graph_errors.hpp"
#include "fake_graph/template_store.hpp"

namespace fake_graph {

// nullopt when `sent` (the send's `template` object) fills `stored` exactly; else error 132000.
std::optional<GraphError> check_template_parameters(const MessageTemplate& stored, const nlohmann::json& sent);

}  // namespace fake_graph
