#include "cli/doctor/doctor.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "cli/doctor/aws_compare.h"
#include "cli/doctor/config_checks.h"
#include "cli/doctor/firewall.h"
#include "cli/doctor/host_checks.h"
#include "cli/doctor/live.h"

namespace xgw::doctor {

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
  if (o.status_path) {
    std::ifstream in(*o.status_path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto status = nlohmann::json::parse(ss.str(), nullptr, false);
    if (!in || status.is_discarded()) {
      r.checks.push_back({"live.status", "gwd status " + *o.status_path, Status::kFail, "cannot read it as JSON",
                          "pass the output of gwd's status request"});
    } else if (cfg) {
      auto l = live_checks(status, *cfg);
      r.checks.insert(r.checks.end(), l.begin(), l.end());
    }
  } else {
    r.notes.push_back("live checks skipped: gwd's status API is not available yet (pass --status FILE)");
  }
  return r;
}

}  // namespace xgw::doctor
