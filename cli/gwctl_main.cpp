// gwctl: operator CLI for xgw.
#include <CLI/CLI.hpp>

#include <iostream>

#include "xgw/version.h"

int main(int argc, char** argv) {
  CLI::App app{"gwctl: control and inspect an xgw customer gateway", "gwctl"};
  app.set_version_flag("--version", std::string("gwctl ") + xgw::kVersion);
  app.require_subcommand(0, 1);
  CLI11_PARSE(app, argc, argv);
  std::cout << app.help();
  return 0;
}
