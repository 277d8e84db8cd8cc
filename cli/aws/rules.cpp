// AWS's per-tunnel rules. Each rule is stated the way AWS's tunnel options page states it so the
// operator can match our message to the console.
#include "cli/aws/rules.h"

#include <algorithm>
#include <set>

namespace xgw::aws {
namespace {

const std::set<std::string> kPhase1Encryption{"aes128", "aes256"};  // no AEAD in IKEv1
const std::set<std::string> kPhase2Encryption{"aes128", "aes256", "aes128-gcm-16", "aes256-gcm-16"};
const std::set<std::string> kIntegrity{"sha1", "sha2-256", "sha2-384", "sha2-512"};
const std::set<int> kPhase1Groups{2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
const std::set<int> kPhase2Groups{2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};

constexpr std::uint32_t kLinkLocal = 0xA9FE0000;  // 169.254.0.0

template <typename T>
void check_set(std::vector<Violation>& out, const char* field, const std::vector<T>& values,
               const std::set<T>& allowed, const std::string& rule) {
  for (const auto& v : values) {
    if (allowed.count(v)) continue;
    std::string s;
    if constexpr (std::is_same_v<T, int>) s = std::to_string(v);
    else s = '"' + v + '"';
    out.push_back({Severity::kFail, field, s, rule});
  }
}

}  // namespace

bool psk_valid(const std::string& psk) {
  if (psk.size() < 8 || psk.size() > 64 || psk[0] == '0') return false;
  return std::all_of(psk.begin(), psk.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_';
  });
}

bool inside_cidr_reserved(const config::Cidr& c) {
  if (c.len != 30) return false;
  for (std::uint32_t third = 0; third <= 5; ++third)
    if (c.addr == (kLinkLocal | (third << 8))) return true;
  return c.addr == (kLinkLocal | (169u << 8) | 252u);
}

bool inside_cidr_in_range(const config::Cidr& c) {
  return c.len == 30 && (c.addr & 0xFFFF0000) == kLinkLocal;
}

std::vector<Violation> check_tunnel(const config::Tunnel& t) {
  std::vector<Violation> out;
  // The key itself never goes into a message: only what is wrong with it.
  if (!psk_valid(t.psk)) {
    std::string what = t.psk.size() < 8 || t.psk.size() > 64 ? std::to_string(t.psk.size()) + " characters"
                       : t.psk[0] == '0'                       ? "starts with 0"
                                                               : "contains a character other than A-Z a-z 0-9 . _";
    out.push_back({Severity::kFail, "psk", "(" + what + ")",
                   "AWS allows 8-64 characters of A-Z a-z 0-9 . _, not starting with 0"});
  }
  const std::string cidr = '"' + t.inside_cidr.str() + '"';
  if (!inside_cidr_in_range(t.inside_cidr))
    out.push_back({Severity::kFail, "inside_cidr", cidr, "AWS requires a /30 inside 169.254.0.0/16"});
  else if (inside_cidr_reserved(t.inside_cidr))
    out.push_back({Severity::kFail, "inside_cidr", cidr,
                   "reserved by AWS (169.254.0.0/30 ... 169.254.5.0/30 and 169.254.169.252/30)"});
  if (t.ike_lifetime < 900 || t.ike_lifetime > 28800)
    out.push_back({Severity::kFail, "ike_lifetime", std::to_string(t.ike_lifetime),
                   "AWS allows a phase 1 lifetime of 900-28800 s"});
  if (t.esp_lifetime < 900 || t.esp_lifetime > 3600)
    out.push_back({Severity::kFail, "esp_lifetime", std::to_string(t.esp_lifetime),
                   "AWS allows a phase 2 lifetime of 900-3600 s"});
  if (t.esp_lifetime >= t.ike_lifetime)
    out.push_back({Severity::kFail, "esp_lifetime", std::to_string(t.esp_lifetime),
                   "phase 2 lifetime must be less than phase 1 lifetime (" + std::to_string(t.ike_lifetime) + " s)"});
  if (t.rekey_margin < 60 || t.rekey_margin > t.esp_lifetime / 2)
    out.push_back({Severity::kFail, "rekey_margin", std::to_string(t.rekey_margin),
                   "AWS allows 60 s to half the phase 2 lifetime (" + std::to_string(t.esp_lifetime / 2) + " s)"});
  if (t.replay_window < 64 || t.replay_window > 2048)
    out.push_back({Severity::kWarn, "replay_window", std::to_string(t.replay_window),
                   "AWS uses 64-2048 packets; a window outside it may drop reordered packets or accept replays"});
  const auto& a = t.algorithms;
  check_set(out, "ike_encryption", a.ike_encryption, kPhase1Encryption,
            "AWS allows aes128, aes256 in IKEv1 phase 1");
  check_set(out, "ike_integrity", a.ike_integrity, kIntegrity, "AWS allows sha1, sha2-256, sha2-384, sha2-512");
  check_set(out, "ike_dh_groups", a.ike_dh_groups, kPhase1Groups,
            "AWS allows DH groups 2, 14-24 in phase 1 (group 5 only in phase 2)");
  check_set(out, "esp_encryption", a.esp_encryption, kPhase2Encryption,
            "AWS allows aes128, aes256, aes128-gcm-16, aes256-gcm-16");
  check_set(out, "esp_integrity", a.esp_integrity, kIntegrity, "AWS allows sha1, sha2-256, sha2-384, sha2-512");
  check_set(out, "esp_pfs_groups", a.esp_pfs_groups, kPhase2Groups, "AWS allows PFS groups 2, 5, 14-24");
  if (t.dpd_interval == 0)
    out.push_back({Severity::kWarn, "dpd_interval", "0",
                   "AWS recommends DPD every 10 s with 3 retries (required for BGP) so a dead tunnel is noticed"});
  return out;
}

}  // namespace xgw::aws
