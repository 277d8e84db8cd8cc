// gwd: the xgw controller daemon.
#include <CLI/CLI.hpp>

#include <iostream>

#include "controller/config/config.h"
#include "xgw/version.h"

namespace {

// gwd --check-config FILE: validates and exits, touching nothing in the kernel.
int check_config(const std::string& path) {
  try {
    xgw::config::Config cfg = xgw::config::load_file(path);
    std::size_t tunnels = 0;
    for (const auto& c : cfg.connections) tunnels += c.tunnels.size();
    std::cout << path << ": ok (" << cfg.connections.size() << " connection"
              << (cfg.connections.size() == 1 ? "" : "s") << ", " << tunnels << " tunnels)\n";
    return 0;
  } catch (const xgw::config::ConfigError& e) {
    std::cerr << "gwd: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gwd: xgw customer gateway daemon for AWS Site-to-Site VPN (IKEv1, XFRM, XDP)", "gwd"};
  app.set_version_flag("--version", std::string("gwd ") + xgw::kVersion);
  std::string check_path;
  app.add_option("--check-config", check_path, "Validate the configuration FILE and exit")
      ->type_name("FILE");
  CLI11_PARSE(app, argc, argv);
  if (!check_path.empty()) return check_config(check_path);
  std::cerr << "gwd: nothing to run yet in this version (see --help)\n";
  return 2;
}
