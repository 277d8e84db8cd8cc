#pragma once
// AWS Site-to-Site VPN's rules for a tunnel (docs: ../shared/docs/aws-reference.md §1), narrower
// than what gwd's loader accepts. Shared by `gwctl import` (a violation refuses the import) and
// `gwctl doctor` (each violation is a finding).
#include <cstdint>
#include <string>
#include <vector>

#include "controller/config/config.h"

namespace xgw::aws {

enum class Severity { kFail, kWarn };

struct Violation {
  Severity severity;
  std::string field;  // the TOML key, e.g. "psk", "esp_lifetime"
  std::string value;
  std::string rule;   // what AWS requires, phrased as a rule
  std::string str() const { return field + " = " + value + ": " + rule; }
};

// The rules for one tunnel, in a fixed order (PSK, inside CIDR, lifetimes, rekey, algorithms).
std::vector<Violation> check_tunnel(const config::Tunnel& t);

// Individual rules, exposed for tests and for callers that hold raw values.
bool psk_valid(const std::string& psk);
bool inside_cidr_reserved(const config::Cidr& c);
bool inside_cidr_in_range(const config::Cidr& c);  // a /30 inside 169.254.0.0/16

}  // namespace xgw::aws
