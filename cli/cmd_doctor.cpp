// gwctl doctor: AWS's troubleshooting checklist, run against this host and config.
#include "cli/cmd_doctor.h"

#include <iostream>
#include <memory>

#include "cli/doctor/doctor.h"

namespace xgw::cli {

void add_doctor(CLI::App& app, int& exit_code) {
  CLI::App* d = app.add_subcommand("doctor", "Check config and host against what AWS requires (exit 0 pass, 1 fail, 2 warn)");
  auto o = std::make_shared<doctor::DoctorOptions>();
  auto json = std::make_shared<bool>(false);
  auto status = std::make_shared<std::string>();
  auto socket = std::make_shared<std::string>();
  auto no_host = std::make_shared<bool>(false);
  d->add_option("--config", o->config_path, "gwd config")->capture_default_str();
  d->add_flag("--json", *json, "machine-readable output");
  d->add_option("--socket", *socket, "gwd's control socket for the live checks (default: the config's control_socket)");
  d->add_option("--status", *status, "gwd's status JSON from a file (gwctl status --json) instead of the socket");
  d->add_flag("--no-host", *no_host, "config checks only");
  d->add_option("--aws", o->aws_files, "AWS's files of the connection (XML, JSON, generic) to compare with the config")
      ->check(CLI::ExistingFile);
  d->callback([o, json, status, socket, no_host, &exit_code] {
    if (!status->empty()) o->status_path = *status;
    if (!socket->empty()) o->socket_path = *socket;
    o->host = !*no_host;
    doctor::DoctorResult r = doctor::run_doctor(*o);
    if (*json) {
      nlohmann::json j = doctor::render_json(r.checks);
      j["notes"] = r.notes;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << doctor::render_text(r.checks);
      for (const auto& n : r.notes) std::cout << "note: " << n << "\n";
    }
    exit_code = doctor::exit_code(r.checks);
  });
}

}  // namespace xgw::cli
