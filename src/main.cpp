#include "inbox/app/cli.hpp"

int main(int argc, char** argv) { return inbox::app::run_cli(argc, argv); }
