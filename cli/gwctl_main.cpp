// gwctl: operator CLI for xgw. Each subcommand lives in its own cmd_*.cpp; this file is the table.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/cmd_control.h"
#include "cli/cmd_doctor.h"
#include "cli/cmd_import.h"
#include "controller/config/secrets.h"
#include "xgw/version.h"

namespace {

using AddCommand = void (*)(CLI::App&, int&);
constexpr AddCommand kCommands[] = {xgw::cli::add_import, xgw::cli::add_doctor, xgw::cli::add_control};

}  // namespace

int main(int argc, char** argv) {
  xgw::config::keep_secrets_out_of_core_dumps();  // import reads PSKs
  CLI::App app{"gwctl: control and inspect an xgw customer gateway", "gwctl"};
  app.set_version_flag("--version", std::string("gwctl ") + xgw::kVersion);
  app.require_subcommand(0, 1);
  int exit_code = 0;
  for (AddCommand add : kCommands) add(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  if (app.get_subcommands().empty()) std::cout << app.help();
  return exit_code;
}
