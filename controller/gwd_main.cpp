// gwd: the xgw controller daemon.
#include <utility>  // before Boost 1.74 asio (see gwd/gateway.h)

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>

#include <iostream>

#include "controller/config/config.h"
#include "controller/config/secrets.h"
#include "controller/gwd/control_request.h"
#include "controller/gwd/control_server.h"
#include "controller/gwd/csprng.h"
#include "controller/gwd/gateway.h"
#include "controller/gwd/keylog.h"
#include "controller/gwd/log.h"
#include "controller/gwd/metrics_server.h"
#include "controller/gwd/stats.h"
#include "loader.h"
#include "policy_routing.h"
#include "xfrm_netlink.h"
#include "xgw/version.h"

namespace {

using namespace xgw;
using nlohmann::json;

// gwd --check-config FILE: validates and exits, touching nothing in the kernel.
int check_config(const std::string& path) {
  try {
    config::Config cfg = config::load_file(path);
    std::size_t tunnels = 0;
    for (const auto& c : cfg.connections) tunnels += c.tunnels.size();
    std::cout << path << ": ok (" << cfg.connections.size() << " connection"
              << (cfg.connections.size() == 1 ? "" : "s") << ", " << tunnels << " tunnels)\n";
    return 0;
  } catch (const config::ConfigError& e) {
    std::cerr << "gwd: " << e.what() << "\n";
    return 1;
  }
}

datapath::XdpMode xdp_mode(config::XdpMode m) {
  switch (m) {
    case config::XdpMode::kNative: return datapath::XdpMode::kNative;
    case config::XdpMode::kGeneric: return datapath::XdpMode::kGeneric;
    default: return datapath::XdpMode::kNativeOrGeneric;
  }
}

// Re-reads the config file and applies it; the running configuration stays on any error.
json reload(gwd::Gateway& gw, const std::string& path) {
  try {
    std::string changes = gw.reload(config::load_file(path));
    return json{{"ok", true}, {"changes", changes}};
  } catch (const std::exception& e) {
    gwd::log_error("reload refused, the running configuration stays: " + std::string(e.what()));
    return json{{"ok", false}, {"error", std::string("reload refused: ") + e.what()}};
  }
}

json handle(gwd::Gateway& gw, const std::string& config_path, const json& req) {
  auto parsed = gwd::parse_control_request(req);
  if (!parsed.request) return json{{"ok", false}, {"error", parsed.error}};
  const gwd::ControlRequest& r = *parsed.request;
  auto result = [](std::optional<std::string> err) {
    return err ? json{{"ok", false}, {"error", *err}} : json{{"ok", true}};
  };
  using Cmd = gwd::ControlRequest::Cmd;
  switch (r.cmd) {
    case Cmd::kStatus:
    case Cmd::kStats: {
      json s = r.cmd == Cmd::kStatus ? gw.status() : gw.stats();
      s["ok"] = true;
      return s;
    }
    case Cmd::kUp:
    case Cmd::kDown: return result(gw.set_admin(r.tunnel, r.cmd == Cmd::kUp));
    case Cmd::kFailover: return result(gw.failover(r.connection, r.to));
    case Cmd::kReload: return reload(gw, config_path);
    case Cmd::kLog: {
      // {"cmd":"log","last":N} the newest N lines; {"cmd":"log","since":SEQ} those after SEQ.
      json lines = json::array();
      auto got = gwd::log_since(r.since, r.last.value_or(gwd::kLogKeep));
      for (const auto& l : got) lines.push_back(l.text);
      std::uint64_t first = got.empty() ? 0 : got.front().seq;
      return json{{"ok", true},
                  {"lines", lines},
                  {"next", gwd::log_last_seq()},
                  {"skipped", r.since && first > r.since + 1 ? first - r.since - 1 : 0}};
    }
  }
  return json{{"ok", false}, {"error", "unhandled command"}};
}

int run(const std::string& path, bool keep_datapath, const std::string& keylog_base) {
  config::Config cfg;
  try {
    cfg = config::load_file(path);
  } catch (const config::ConfigError& e) {
    std::cerr << "gwd: " << e.what() << "\n";
    return 1;
  }
  std::unique_ptr<gwd::KeyLog> keylog;
  if (!keylog_base.empty()) {
    try {
      keylog = std::make_unique<gwd::KeyLog>(keylog_base);
    } catch (const std::runtime_error& e) {
      std::cerr << "gwd: " << e.what() << "\n";
      return 1;
    }
  }
  boost::asio::io_context io;
  kernel::XfrmNetlink xfrm;
  kernel::RouteNetlink routes;
  std::unique_ptr<datapath::Datapath> dp;
  datapath::Interface wan{cfg.gateway.wan_interface, ""};
  datapath::Interface lan{cfg.gateway.lan_interface, ""};
  if (cfg.gateway.xdp_mode != config::XdpMode::kOff) {
    dp = datapath::Datapath::Load();
    // Before the WAN program sees a packet: its per-source rate limit of new Main Modes
    // (10/s, burst 20) is off until the config entry exists. Written on every start, so an
    // upgraded gwd's defaults reach pinned maps it re-opens.
    const datapath::DatapathConfig dp_cfg{};
    dp->maps().SetConfig(dp_cfg);
    auto mode = dp->AttachWan(wan, xdp_mode(cfg.gateway.xdp_mode));
    gwd::log_info(std::string("datapath: XDP on ") + wan.name + " in " +
                  (mode == datapath::XdpMode::kGeneric ? "generic" : "native") + " mode" +
                  (dp->origin() == datapath::Datapath::Origin::kFresh ? "" : " (re-opened pinned maps)") +
                  ", new Main Modes limited to " + std::to_string(dp_cfg.mm1_rate_pps) + "/s per source (burst " +
                  std::to_string(dp_cfg.mm1_burst) + ")");
    if (!lan.name.empty()) dp->AttachLan(lan);
  }
  gwd::OpenSslRandom rng;
  gwd::Gateway gw(io, cfg, gwd::KernelHandles{xfrm, routes, dp ? &dp->maps() : nullptr}, rng);
  if (keylog) {
    gwd::log_info("keylog: writing IKE and ESP keys to " + gwd::KeyLog::ikev1_path(keylog_base) + " and " +
                  gwd::KeyLog::esp_path(keylog_base) + " (debugging only)");
    gw.set_keylog(std::move(keylog));
  }
  gw.start();
  gwd::ControlServer control(io, cfg.gateway.control_socket, [&](const json& r) { return handle(gw, path, r); },
                             cfg.gateway.control_group);
  control.start();
  std::unique_ptr<gwd::MetricsServer> metrics;
  if (!cfg.gateway.metrics_listen.empty()) {
    metrics = std::make_unique<gwd::MetricsServer>(io, cfg.gateway.metrics_listen,
                                                   [&] { return gwd::prometheus_text(gw.stats()); });
    metrics->start();
    gwd::log_info("metrics: http://" + cfg.gateway.metrics_listen + "/metrics");
  }
  gwd::log_info("gwd " + std::string(xgw::kVersion) + " running: " + std::to_string(cfg.connections.size()) +
                " connection(s), control socket " + cfg.gateway.control_socket);

  boost::asio::signal_set hup(io, SIGHUP);
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      gwd::log_info("received SIGHUP: reloading " + path);
      reload(gw, path);
      wait_hup();
    });
  };
  wait_hup();
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    // SIGTERM (systemd's stop and restart) honours --keep-datapath; SIGINT (Ctrl-C, or
    // `systemctl kill --signal=SIGINT`) always takes the tunnels down and removes our state.
    const bool keep = keep_datapath && sig == SIGTERM;
    gwd::log_info(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                  (keep ? ": stopping, kernel state kept (--keep-datapath)" : ": stopping, removing kernel state"));
    gw.stop(keep);
    control.close();
    if (metrics) metrics->close();
    hup.cancel();
    if (dp && !keep) {
      dp->DetachWan(wan);
      if (!lan.name.empty()) dp->DetachTc(lan, true);
      dp->Unpin();
    }
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  xgw::config::keep_secrets_out_of_core_dumps();
  CLI::App app{"gwd: xgw customer gateway daemon for AWS Site-to-Site VPN (IKEv1, XFRM, XDP)", "gwd"};
  app.set_version_flag("--version", std::string("gwd ") + xgw::kVersion);
  std::string check_path, config_path, keylog_base;
  bool keep_datapath = false, debug = false;
  app.add_option("--check-config", check_path, "Validate the configuration FILE and exit")->type_name("FILE");
  app.add_option("-c,--config", config_path, "Run with the configuration FILE (TOML, see docs/config.md)")
      ->type_name("FILE");
  app.add_flag("--keep-datapath", keep_datapath,
               "On SIGTERM leave the SAs, policies and pinned BPF datapath in place for the next gwd to adopt (restarts, upgrades); SIGINT still removes them");
  app.add_flag("--debug", debug, "Log debug messages");
  app.add_option("--keylog", keylog_base,
                 "Debugging only: append the keys of every IKE and ESP SA to FILE.ikev1_decryption_table and "
                 "FILE.esp_sa (Wireshark's IKEv1 decryption and ESP SA tables, mode 0600; see docs/debugging.md). "
                 "Anyone with these files can decrypt the tunnels' traffic")
      ->type_name("FILE");
  CLI11_PARSE(app, argc, argv);
  if (!check_path.empty()) return check_config(check_path);
  if (config_path.empty()) {
    std::cerr << "gwd: --config FILE is required (or --check-config FILE; see --help)\n";
    return 2;
  }
  if (debug) gwd::set_log_level(gwd::Level::kDebug);
  try {
    return run(config_path, keep_datapath, keylog_base);
  } catch (const std::exception& e) {
    gwd::log_error(std::string("fatal: ") + e.what());
    return 1;
  }
}
