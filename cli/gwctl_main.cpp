// gwctl: operator CLI for xgw.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/cmd_control.h"
#include "cli/control_client.h"
#include "xgw/version.h"

int main(int argc, char** argv) {
  CLI::App app{"gwctl: control and inspect an xgw customer gateway", "gwctl"};
  app.set_version_flag("--version", std::string("gwctl ") + xgw::kVersion);
  std::string socket_path = xgw::cli::kDefaultSocket;
  bool json = false;
  int exit_code = 0;
  app.add_option("--socket", socket_path, "gwd's control socket")->capture_default_str();
  app.add_flag("--json", json, "Machine-readable output (docs/cli.md)");
  app.fallthrough();  // global options (--json, --socket) also after the subcommand
  xgw::cli::add_control_commands(app, socket_path, json, exit_code);
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
