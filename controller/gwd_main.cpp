// gwd: the xgw controller daemon.
#include <CLI/CLI.hpp>

#include <iostream>

#include "xgw/version.h"

int main(int argc, char** argv) {
  CLI::App app{"gwd: xgw customer gateway daemon for AWS Site-to-Site VPN (IKEv1, XFRM, XDP)", "gwd"};
  app.set_version_flag("--version", std::string("gwd ") + xgw::kVersion);
  CLI11_PARSE(app, argc, argv);
  std::cerr << "gwd: nothing to run yet in this version (see --help)\n";
  return 2;
}
