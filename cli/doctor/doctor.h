#pragma once
// `gwctl doctor`: runs every check in order (config, host, live) and collects the findings.
#include <optional>
#include <string>
#include <vector>

#include "cli/doctor/check.h"

namespace xgw::doctor {

struct DoctorOptions {
  std::string config_path = "/etc/xgw/gwd.toml";
  std::optional<std::string> status_path;  // gwd's status JSON from a file instead of its socket
  std::optional<std::string> socket_path;  // gwd's control socket; default: the config's control_socket
  bool host = true;                        // false: config checks only (e.g. on another machine)
  std::vector<std::string> aws_files;      // AWS's files of the connection, to compare with the config
};

struct DoctorResult {
  std::vector<Check> checks;
  std::vector<std::string> notes;  // what was skipped and why
};

DoctorResult run_doctor(const DoctorOptions& o);

}  // namespace xgw::doctor
