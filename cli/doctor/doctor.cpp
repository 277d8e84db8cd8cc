#include "cli/doctor/doctor.h"

#include <sys/stat.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include "cli/control_client.h"
#include "cli/doctor/aws_compare.h"
#include "cli/doctor/config_checks.h"
#include "cli/doctor/firewall.h"
#include "cli/doctor/host_checks.h"
#include "cli/doctor/live.h"

namespace xgw::doctor {

namespace {

// gwd's status: from --status FILE, or asked over its control socket. Without a running gwd
// the live checks are skipped with a note (the other checks still tell a lot).
void live(const DoctorOptions& o, const config::Config* cfg, DoctorResult& r) {
  nlohmann::json status;
  std::string source;
  if (o.status_path) {
    source = "gwd status " + *o.status_path;
    std::ifstream in(*o.status_path);
    std::stringstream ss;
    ss << in.rdbuf();
    status = nlohmann::json::parse(ss.str(), nullptr, false);
    if (!in || status.is_discarded()) {
      r.checks.push_back({"live.status", source, Status::kFail, "cannot read it as JSON",
                          "pass the output of gwctl status --json"});
      return;
    }
  } else {
    std::string socket = o.socket_path ? *o.socket_path : cfg ? cfg->gateway.control_socket : cli::kDefaultSocket;
    source = "gwd at " + socket;
    try {
      status = cli::control_request(socket, nlohmann::json{{"cmd", "status"}});
    } catch (const std::exception& e) {
      r.notes.push_back(std::string("live checks skipped: gwd is not running or not reachable (") + e.what() + ")");
      return;
    }
  }
  if (!status.value("ok", true)) {
    r.checks.push_back({"live.status", source, Status::kFail, status.value("error", std::string("request refused")),
                        "see gwd's log"});
    return;
  }
  if (!cfg) {
    r.notes.push_back("live checks skipped: they need the config that loads");
    return;
  }
  auto l = live_checks(status, *cfg, static_cast<std::int64_t>(std::time(nullptr)));
  r.checks.insert(r.checks.end(), l.begin(), l.end());
}

}  // namespace

DoctorResult run_doctor(const DoctorOptions& o) {
  DoctorResult r;
  std::optional<config::Config> cfg;
  try {
    cfg = config::load_file(o.config_path);
    r.checks.push_back({"config.load", "config " + o.config_path, Status::kPass, "loads", ""});
  } catch (const config::ConfigError& e) {
    r.checks.push_back({"config.load", "config " + o.config_path, Status::kFail, e.what(),
                        "fix the named field (docs/config.md), or create the config with gwctl import aws --write DIR"});
  }
  if (cfg) {
    auto c = check_config(*cfg);
    r.checks.insert(r.checks.end(), c.begin(), c.end());
  }
  if (cfg && !o.aws_files.empty()) {
    try {
      auto a = compare_with_aws(*cfg, import::import_files(o.aws_files));
      r.checks.insert(r.checks.end(), a.begin(), a.end());
    } catch (const import::ImportError& e) {
      r.checks.push_back({"aws.files", "AWS files", Status::kFail, e.what(), "pass AWS's unmodified download"});
    }
  }
  if (o.host) {
    if (cfg) r.checks.push_back(check_wan_address(cfg->gateway));
    if (cfg) {
      auto s = check_sysctls(cfg->gateway);
      r.checks.insert(r.checks.end(), s.begin(), s.end());
    }
    auto f = fw::check_host_firewall();
    r.checks.insert(r.checks.end(), f.begin(), f.end());
    auto k = check_kernel_modules();
    r.checks.insert(r.checks.end(), k.begin(), k.end());
    if (cfg) r.checks.push_back(check_xdp(cfg->gateway));
  } else {
    r.notes.push_back("host checks skipped (--no-host)");
  }
  live(o, cfg ? &*cfg : nullptr, r);
  return r;
}

}  // namespace xgw::doctor
