#include "cli/doctor/check.h"

#include <sstream>

namespace xgw::doctor {

const char* to_string(Status s) {
  switch (s) {
    case Status::kWarn: return "warn";
    case Status::kFail: return "fail";
    case Status::kPass: break;
  }
  return "pass";
}

int exit_code(const std::vector<Check>& checks) {
  bool warn = false;
  for (const auto& c : checks) {
    if (c.status == Status::kFail) return 1;
    warn = warn || c.status == Status::kWarn;
  }
  return warn ? 2 : 0;
}

std::string render_text(const std::vector<Check>& checks) {
  std::ostringstream os;
  int n[3] = {0, 0, 0};
  for (const auto& c : checks) {
    ++n[static_cast<int>(c.status)];
    os << to_string(c.status) << "  " << c.title;
    if (!c.detail.empty()) os << ": " << c.detail;
    os << "\n";
    if (!c.fix.empty()) os << "      fix: " << c.fix << "\n";
  }
  os << n[0] << " pass, " << n[1] << " warn, " << n[2] << " fail\n";
  return os.str();
}

nlohmann::json render_json(const std::vector<Check>& checks) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : checks)
    list.push_back({{"id", c.id}, {"title", c.title}, {"status", to_string(c.status)}, {"detail", c.detail}, {"fix", c.fix}});
  return {{"checks", list}, {"exit_code", exit_code(checks)}};
}

}  // namespace xgw::doctor
