#pragma once
#include <CLI/CLI.hpp>

namespace xgw::cli {
// `gwctl doctor [--config FILE] [--json]` (docs/cli.md). Sets exit_code when it runs.
void add_doctor(CLI::App& app, int& exit_code);
}  // namespace xgw::cli
