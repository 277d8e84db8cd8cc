#pragma once
// One doctor finding and the report they make. Every check says what it looked at and, when it
// is not a pass, what to do about it.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace xgw::doctor {

enum class Status { kPass, kWarn, kFail };

struct Check {
  std::string id;      // stable key for --json consumers, e.g. "config.tunnel", "host.rp_filter"
  std::string title;   // what was checked, e.g. "tunnel vpn1/1 against AWS's rules"
  Status status = Status::kPass;
  std::string detail;  // what was found
  std::string fix;     // what to do (empty on pass)
};

const char* to_string(Status s);

// Exit code of `gwctl doctor` (docs/cli.md): 0 all pass, 1 any fail, 2 warnings but no fail.
int exit_code(const std::vector<Check>& checks);

std::string render_text(const std::vector<Check>& checks);
nlohmann::json render_json(const std::vector<Check>& checks);

}  // namespace xgw::doctor
