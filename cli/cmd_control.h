#pragma once
// gwctl status | up | down | failover: commands answered by a running gwd.
#include <CLI/CLI.hpp>

namespace xgw::cli {

// Adds the subcommands to `app`; each takes --json and --socket PATH.
void add_control(CLI::App& app, int& exit_code);

}  // namespace xgw::cli
