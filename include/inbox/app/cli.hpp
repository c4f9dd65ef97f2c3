#pragma once
// The `whatsapp-inbox` command line: serve, migrate, account add|list, member add, token.

namespace inbox::app {

// Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error. Errors go to stderr, first line first.
int run_cli(int argc, char** argv);

}  // namespace inbox::app
