#include "cli/aws/mtu.h"

#include <algorithm>

namespace xgw::aws {

MtuMss recommended(const std::string& encryption, const std::string& integrity, bool nat_t) {
  // GCM carries its own ICV: integrity does not matter.
  if (encryption.find("gcm") != std::string::npos) return nat_t ? MtuMss{1438, 1398} : MtuMss{1446, 1406};
  if (integrity == "sha2-384") return {1422, 1382};
  if (integrity == "sha2-512") return nat_t ? MtuMss{1406, 1366} : MtuMss{1422, 1382};
  return nat_t ? MtuMss{1422, 1382} : MtuMss{1438, 1398};  // sha1, sha2-256
}

MtuMss recommended(const config::Algorithms& a, bool nat_t) {
  MtuMss best{1446, 1406};
  for (const auto& e : a.esp_encryption)
    for (const auto& i : a.esp_integrity) {
      MtuMss r = recommended(e, i, nat_t);
      best.mtu = std::min(best.mtu, r.mtu);
      best.mss = std::min(best.mss, r.mss);
    }
  return best;
}

}  // namespace xgw::aws
