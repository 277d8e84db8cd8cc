#pragma once
#include <CLI/CLI.hpp>

namespace xgw::cli {
// `gwctl import aws FILE...` (docs/cli.md). Sets exit_code when it runs.
void add_import(CLI::App& app, int& exit_code);
}  // namespace xgw::cli
