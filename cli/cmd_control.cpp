#include "cli/cmd_control.h"

#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/control_client.h"

namespace xgw::cli {

using nlohmann::json;

namespace {

// Columns padded to their widest cell, two spaces apart, no trailing blanks.
void print_table(const std::vector<std::vector<std::string>>& rows) {
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

// One row per tunnel.
void print_status(const json& s) {
  std::vector<std::vector<std::string>> rows{
      {"CONNECTION", "TUNNEL", "PEER", "PHASE1", "PHASE2", "BGP", "ROLE", "SPI IN", "SPI OUT", "LAST FAILURE"}};
  for (const auto& c : s.value("connections", json::array())) {
    for (const auto& t : c.value("tunnels", json::array())) {
      std::string role = t.value("role", "");
      if (t.value("admin", "up") == "down") role += " (admin down)";
      // BGP connections: the session's state, and the routes learned over this tunnel.
      std::string bgp = "-";
      if (t.contains("bgp") && t["bgp"].is_object()) {
        const json& b = t["bgp"];
        bgp = b.value("state", "") == "established"
                  ? "up, " + std::to_string(b.value("routes", json::array()).size()) + " routes"
                  : "down (" + b.value("info", std::string()) + ")";
      }
      rows.push_back({c.value("name", ""), t.value("name", ""), t.value("peer_address", ""), t.value("phase1", ""),
                      t.value("phase2", ""), bgp, role, t.value("spi_in", ""), t.value("spi_out", ""),
                      t.value("last_failure", "")});
    }
  }
  print_table(rows);
}

std::uint64_t field(const json& j, std::initializer_list<const char*> path) {
  const json* p = &j;
  for (const char* k : path) {
    if (!p->is_object() || !p->contains(k)) return 0;
    p = &(*p)[k];
  }
  return p->is_number() ? p->get<std::uint64_t>() : 0;
}

std::string age(std::int64_t s) {
  if (s < 0) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60),
                static_cast<long long>(s % 60));
  return b;
}

// Per tunnel: the datapath's ESP counters beside the kernel's counters of the active pair,
// SA ages and rekey times; then the datapath's drops by reason.
void print_stats(const json& s) {
  std::vector<std::vector<std::string>> rows{{"TUNNEL", "ROLE", "PHASE2", "DP IN PKTS", "DP IN BYTES", "DP OUT PKTS",
                                              "DP OUT BYTES", "SA IN PKTS", "SA OUT PKTS", "P1 AGE", "P2 AGE",
                                              "P2 REKEY IN", "FAILOVERS"}};
  for (const auto& t : s.value("tunnels", json::array())) {
    const json dp = t.value("datapath", json());
    auto sum = [&](const char* a, const char* b, const char* unit) {
      return std::to_string(field(dp, {a, unit}) + field(dp, {b, unit}));
    };
    rows.push_back({t.value("name", ""), t.value("role", ""), t.value("phase2", ""),
                    dp.is_object() ? sum("in_esp", "in_esp_in_udp", "packets") : "-",
                    dp.is_object() ? sum("in_esp", "in_esp_in_udp", "bytes") : "-",
                    dp.is_object() ? sum("out_esp", "out_esp_in_udp", "packets") : "-",
                    dp.is_object() ? sum("out_esp", "out_esp_in_udp", "bytes") : "-",
                    std::to_string(field(t, {"xfrm", "in", "packets"})), std::to_string(field(t, {"xfrm", "out", "packets"})),
                    age(t.value("phase1_age_s", std::int64_t{-1})), age(t.value("phase2_age_s", std::int64_t{-1})),
                    age(t.value("phase2_rekey_in_s", std::int64_t{-1})), std::to_string(t.value("failovers", 0))});
  }
  print_table(rows);
  const json drops = s.value("datapath", json()).is_object() ? s["datapath"].value("drops", json::object()) : json::object();
  if (drops.empty()) return;
  std::cout << "\n";
  std::vector<std::vector<std::string>> d{{"DROP REASON", "PACKETS", "BYTES"}};
  for (const auto& [reason, c] : drops.items())
    d.push_back({reason, std::to_string(field(c, {"packets"})), std::to_string(field(c, {"bytes"}))});
  print_table(d);
}

enum class Output { kNone, kStatus, kStats };

int run(const std::string& socket_path, bool as_json, const json& request, Output output = Output::kNone) {
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
  } else if (output == Output::kStatus) {
    print_status(reply);
  } else if (output == Output::kStats) {
    print_stats(reply);
  } else if (reply.contains("changes")) {
    std::cout << reply.value("changes", "") << "\n";
  }
  return ok ? 0 : 1;
}

// gwctl log [--lines N] [--follow]: the newest lines gwd keeps, then (following) new ones
// every half second. A restarted gwd numbers its lines from 1 again: followed on.
int follow_log(const std::string& socket_path, bool as_json, std::size_t lines, bool follow) {
  std::uint64_t next = 0;
  bool first = true, reachable = true;
  for (;;) {
    json req = first ? json{{"cmd", "log"}, {"last", lines}} : json{{"cmd", "log"}, {"since", next}};
    json reply;
    try {
      reply = control_request(socket_path, req);
      if (!reachable) std::cerr << "gwctl: gwd is back\n";
      reachable = true;
    } catch (const std::exception& e) {
      if (!follow || first) {
        std::cerr << "gwctl: " << e.what() << "\n";
        return 3;
      }
      if (reachable) std::cerr << "gwctl: " << e.what() << "; waiting for gwd\n";
      reachable = false;
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (!reply.value("ok", false)) {
      std::cerr << "gwctl: " << reply.value("error", "request failed") << "\n";
      return 1;
    }
    std::uint64_t now_next = reply.value("next", std::uint64_t{0});
    if (!first && now_next < next) {  // a new gwd: start from its first line
      std::cout << "-- gwd restarted --\n";
      next = 0;
      continue;
    }
    if (as_json) {
      std::cout << reply.dump() << "\n";
    } else {
      if (auto skipped = reply.value("skipped", std::uint64_t{0})) std::cout << "-- " << skipped << " lines not kept --\n";
      for (const auto& l : reply.value("lines", json::array())) std::cout << l.get<std::string>() << "\n";
    }
    std::cout.flush();
    next = now_next;
    first = false;
    if (!follow) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace

void add_control(CLI::App& app, int& exit_code) {
  // Options live for the whole run of gwctl (CLI11 binds them by reference).
  struct Options {
    std::string socket = kDefaultSocket;
    bool json = false;
    std::string tunnel, connection, to;
    std::size_t lines = 50;
    bool follow = false;
  };
  static Options o;
  auto common = [](CLI::App* sub) {
    sub->add_option("--socket", o.socket, "gwd's control socket")->capture_default_str();
    sub->add_flag("--json", o.json, "Machine-readable output (docs/cli.md)");
  };

  auto* status = app.add_subcommand("status", "Show every tunnel: phase 1 and 2, SPIs, active or standby");
  common(status);
  status->callback([&] { exit_code = run(o.socket, o.json, json{{"cmd", "status"}}, Output::kStatus); });

  auto* stats = app.add_subcommand("stats", "Traffic per tunnel (datapath and kernel counters), SA ages, drops by reason");
  common(stats);
  stats->callback([&] { exit_code = run(o.socket, o.json, json{{"cmd", "stats"}}, Output::kStats); });

  auto* up = app.add_subcommand("up", "Bring a tunnel up (and keep it up)");
  common(up);
  up->add_option("TUNNEL", o.tunnel, "Tunnel name, CONNECTION/1 or CONNECTION/2")->required();
  up->callback([&] { exit_code = run(o.socket, o.json, json{{"cmd", "up"}, {"tunnel", o.tunnel}}); });

  auto* down = app.add_subcommand("down", "Take a tunnel down (Delete sent) until `gwctl up`");
  common(down);
  down->add_option("TUNNEL", o.tunnel, "Tunnel name, CONNECTION/1 or CONNECTION/2")->required();
  down->callback([&] { exit_code = run(o.socket, o.json, json{{"cmd", "down"}, {"tunnel", o.tunnel}}); });

  auto* fo = app.add_subcommand("failover", "Move a connection's LAN traffic to its other tunnel (one map update)");
  common(fo);
  fo->add_option("CONNECTION", o.connection, "Connection name")->required();
  fo->add_option("--to", o.to, "Target tunnel (default: the other one)");
  fo->callback([&] {
    json req{{"cmd", "failover"}, {"connection", o.connection}};
    if (!o.to.empty()) req["to"] = o.to;
    exit_code = run(o.socket, o.json, req);
  });

  auto* reload = app.add_subcommand(
      "reload", "Re-read gwd's config file and apply the changes (same as SIGHUP); an invalid file is refused");
  common(reload);
  reload->callback([&] { exit_code = run(o.socket, o.json, json{{"cmd", "reload"}}); });

  auto* log = app.add_subcommand("log", "Show gwd's most recent log lines (it keeps 2000); --follow prints new ones as they come");
  common(log);
  log->add_option("-n,--lines", o.lines, "How many of the newest lines to show first")->capture_default_str();
  log->add_flag("-f,--follow", o.follow, "Keep printing new lines (Ctrl-C to stop)");
  log->callback([&] { exit_code = follow_log(o.socket, o.json, o.lines, o.follow); });
}

}  // namespace xgw::cli
