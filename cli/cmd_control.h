#pragma once
// gwctl status | up | down | failover: commands answered by a running gwd.
#include <CLI/CLI.hpp>

namespace xgw::cli {

// Adds the subcommands to `app`; `socket_path` and `json` are gwctl's global options.
void add_control_commands(CLI::App& app, std::string& socket_path, bool& json, int& exit_code);

}  // namespace xgw::cli
