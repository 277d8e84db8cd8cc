// gwctl import aws: AWS's download -> gwd's TOML (printed, or written with PSK files).
#include "cli/cmd_import.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "cli/import/aws_connection.h"
#include "cli/import/to_config.h"
#include "controller/config/config_write.h"

namespace xgw::cli {
namespace {

struct ImportArgs {
  std::vector<std::string> files;
  std::string wan, lan, local, pub, name, write_dir;
  std::vector<std::string> remote;
  std::vector<std::string> advertise;
  bool json = false;
};

std::uint32_t address_arg(const std::string& flag, const std::string& v) {
  auto a = config::parse_ipv4(v);
  if (!a) throw import::ImportError(flag + " " + v + ": expected an IPv4 address");
  return *a;
}

nlohmann::json summary(const import::AwsConnection& c, const import::ImportResult& r, const std::string& dir) {
  nlohmann::json tunnels = nlohmann::json::array();
  for (std::size_t i = 0; i < c.tunnels.size(); ++i) {
    const auto& at = c.tunnels[i];
    const auto& t = r.config.connections[0].tunnels[i];
    nlohmann::json j{{"name", t.name},
                     {"aws_tunnel", at.number},
                     {"peer_address", config::ipv4_str(t.peer_address)},
                     {"inside_cidr", t.inside_cidr.str()},
                     {"local_inside", config::ipv4_str(t.local_inside())},
                     {"peer_inside", config::ipv4_str(t.peer_inside())}};
    if (at.cgw_outside) j["customer_gateway_address"] = config::ipv4_str(at.cgw_outside);
    if (at.dpd_timeout) j["dpd_timeout"] = *at.dpd_timeout;
    if (!at.dpd_action.empty()) j["dpd_action"] = at.dpd_action;
    if (!at.startup_action.empty()) j["startup_action"] = at.startup_action;
    if (!at.status.empty()) j["aws_status"] = at.status;
    if (!t.psk_file.empty()) j["psk_file"] = dir + "/" + t.psk_file;
    tunnels.push_back(j);
  }
  nlohmann::json out{{"vpn_connection_id", c.vpn_id},
                     {"connection", r.config.connections[0].name},
                     {"routing", config::to_string(c.routing)},
                     {"tunnels", tunnels},
                     {"notes", r.notes}};
  if (dir.empty()) out["toml"] = r.toml;
  else out["written"] = dir + "/gwd.toml";
  return out;
}

int run(const ImportArgs& a) {
  try {
    import::AwsConnection c = import::import_files(a.files);
    import::ImportOptions o;
    o.wan_interface = a.wan;
    o.lan_interface = a.lan;
    if (!a.local.empty()) o.local_address = address_arg("--local-address", a.local);
    if (!a.pub.empty()) o.public_address = address_arg("--public-address", a.pub);
    for (const auto& r : a.remote) {
      auto cidr = config::parse_cidr(r);
      if (!cidr) throw import::ImportError("--remote-network " + r + ": expected a CIDR such as 10.0.0.0/16");
      o.remote_networks.push_back(*cidr);
    }
    for (const auto& n : a.advertise) {
      auto cidr = config::parse_cidr(n);
      if (!cidr) throw import::ImportError("--advertise " + n + ": expected a CIDR such as 192.168.0.0/24");
      o.advertise.push_back(*cidr);
    }
    o.name = a.name;
    o.psk_files = !a.write_dir.empty();
    import::ImportResult r = import::to_config(c, o);
    // The config must be one gwd accepts: check it (with the keys inline, as the PSK files do
    // not exist yet) before anything touches the disk, and read back what was written.
    config::Config inline_keys = r.config;
    for (auto& conn : inline_keys.connections)
      for (auto& t : conn.tunnels) t.psk_file.clear();
    config::load_string(config::write_toml(inline_keys), "generated config");
    if (!a.write_dir.empty()) {
      import::write_files(a.write_dir, r);
      config::load_file(a.write_dir + "/gwd.toml");
    }
    if (a.json) {
      std::cout << summary(c, r, a.write_dir).dump(2) << "\n";
    } else if (a.write_dir.empty()) {
      std::cout << r.toml;
      for (const auto& n : r.notes) std::cerr << "note: " << n << "\n";
    } else {
      std::cout << "wrote " << a.write_dir << "/gwd.toml";
      for (const auto& [f, k] : r.psk_files) std::cout << ", " << a.write_dir << "/" << f;
      std::cout << "\n";
      for (const auto& n : r.notes) std::cerr << "note: " << n << "\n";
    }
    return 0;
  } catch (const import::ImportError& e) {
    std::cerr << "gwctl import: " << e.what() << "\n";
  } catch (const config::ConfigError& e) {
    std::cerr << "gwctl import: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace

void add_import(CLI::App& app, int& exit_code) {
  CLI::App* imp = app.add_subcommand("import", "Create a gwd config from a provider's VPN configuration");
  imp->require_subcommand(1);
  CLI::App* aws = imp->add_subcommand("aws", "AWS Site-to-Site VPN: CustomerGatewayConfiguration XML, describe-vpn-connections JSON, Generic text");
  auto a = std::make_shared<ImportArgs>();
  aws->add_option("FILE", a->files, "AWS files of one connection (XML and JSON together are merged)")->required()->check(CLI::ExistingFile);
  aws->add_option("--interface", a->wan, "WAN interface (default eth0)");
  aws->add_option("--lan-interface", a->lan, "LAN interface");
  aws->add_option("--local-address", a->local, "our WAN address (default: the customer gateway address AWS has)");
  aws->add_option("--public-address", a->pub, "behind NAT: the public address (must be AWS's customer gateway address)");
  aws->add_option("--remote-network", a->remote, "VPC network to route into the connection (repeatable)");
  aws->add_option("--advertise", a->advertise, "BGP: LAN network to announce to AWS on both tunnels (repeatable)");
  aws->add_option("--name", a->name, "connection name (default: the VPN connection id)");
  aws->add_option("--write", a->write_dir, "write DIR/gwd.toml and one PSK file per tunnel (mode 0600)");
  aws->add_flag("--json", a->json, "print a JSON summary instead of the TOML");
  aws->callback([a, &exit_code] { exit_code = run(*a); });
}

}  // namespace xgw::cli
