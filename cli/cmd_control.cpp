#include "cli/cmd_control.h"

#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/control_client.h"

namespace xgw::cli {

using nlohmann::json;

namespace {

// Aligned text table of the status: one row per tunnel.
void print_status(const json& s) {
  std::vector<std::vector<std::string>> rows{
      {"CONNECTION", "TUNNEL", "PEER", "PHASE1", "PHASE2", "ROLE", "SPI IN", "SPI OUT", "LAST FAILURE"}};
  for (const auto& c : s.value("connections", json::array())) {
    for (const auto& t : c.value("tunnels", json::array())) {
      std::string role = t.value("role", "");
      if (t.value("admin", "up") == "down") role += " (admin down)";
      rows.push_back({c.value("name", ""), t.value("name", ""), t.value("peer_address", ""), t.value("phase1", ""),
                      t.value("phase2", ""), role, t.value("spi_in", ""), t.value("spi_out", ""),
                      t.value("last_failure", "")});
    }
  }
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::ostringstream line;
    for (std::size_t i = 0; i < r.size(); ++i) line << std::left << std::setw(static_cast<int>(width[i] + 2)) << r[i];
    std::string out = line.str();
    out.erase(out.find_last_not_of(' ') + 1);
    std::cout << out << "\n";
  }
}

int run(const std::string& socket_path, bool as_json, const json& request, bool is_status) {
  json reply;
  try {
    reply = control_request(socket_path, request);
  } catch (const std::exception& e) {
    std::cerr << "gwctl: " << e.what() << "\n";
    return 3;
  }
  bool ok = reply.value("ok", false);
  if (as_json) {
    std::cout << reply.dump(2) << "\n";
  } else if (!ok) {
    std::cerr << "gwctl: " << reply.value("error", "request failed") << "\n";
  } else if (is_status) {
    print_status(reply);
  } else if (reply.contains("changes")) {
    std::cout << reply.value("changes", "") << "\n";
  }
  return ok ? 0 : 1;
}

}  // namespace

void add_control(CLI::App& app, int& exit_code) {
  // Options live for the whole run of gwctl (CLI11 binds them by reference).
  struct Options {
    std::string socket = kDefaultSocket;
    bool json = false;
    std::string tunnel, connection, to;
  };
  static Options o;
  auto common = [](CLI::App* sub) {
    sub->add_option("--socket", o.socket, "gwd's control socket")->capture_default_str();
    sub->add_flag("--json", o.json, "Machine-readable output (docs/cli.md)");
  };

  auto* status = app.add_subcommand("status", "Show every tunnel: phase 1 and 2, SPIs, active or standby");
  common(status);
  status->callback([&] { exit_code = run(o.socket, o.json, json{{"cmd", "status"}}, true); });

  auto* up = app.add_subcommand("up", "Bring a tunnel up (and keep it up)");
  common(up);
  up->add_option("TUNNEL", o.tunnel, "Tunnel name, CONNECTION/1 or CONNECTION/2")->required();
  up->callback([&] { exit_code = run(o.socket, o.json, json{{"cmd", "up"}, {"tunnel", o.tunnel}}, false); });

  auto* down = app.add_subcommand("down", "Take a tunnel down (Delete sent) until `gwctl up`");
  common(down);
  down->add_option("TUNNEL", o.tunnel, "Tunnel name, CONNECTION/1 or CONNECTION/2")->required();
  down->callback([&] { exit_code = run(o.socket, o.json, json{{"cmd", "down"}, {"tunnel", o.tunnel}}, false); });

  auto* fo = app.add_subcommand("failover", "Move a connection's LAN traffic to its other tunnel (one map update)");
  common(fo);
  fo->add_option("CONNECTION", o.connection, "Connection name")->required();
  fo->add_option("--to", o.to, "Target tunnel (default: the other one)");
  fo->callback([&] {
    json req{{"cmd", "failover"}, {"connection", o.connection}};
    if (!o.to.empty()) req["to"] = o.to;
    exit_code = run(o.socket, o.json, req, false);
  });

  auto* reload = app.add_subcommand(
      "reload", "Re-read gwd's config file and apply the changes (same as SIGHUP); an invalid file is refused");
  common(reload);
  reload->callback([&] { exit_code = run(o.socket, o.json, json{{"cmd", "reload"}}, false); });
}

}  // namespace xgw::cli
