#include "aws_mtu.h"

#include <stdexcept>

namespace xgw::kernel {

MtuMss AwsTunnelMtu(EspCipher cipher, EspIntegrity integrity, bool natt, std::optional<uint16_t> xml_mss) {
  MtuMss r{};
  if (cipher == EspCipher::kAesGcm) {
    if (integrity != EspIntegrity::kNone) throw std::invalid_argument("AES-GCM carries its own integrity");
    r = natt ? MtuMss{1438, 1398} : MtuMss{1446, 1406};
  } else {
    switch (integrity) {
      case EspIntegrity::kSha1:
      case EspIntegrity::kSha256:
        r = natt ? MtuMss{1422, 1382} : MtuMss{1438, 1398};
        break;
      case EspIntegrity::kSha384:
        r = {1422, 1382};
        break;
      case EspIntegrity::kSha512:
        r = natt ? MtuMss{1406, 1366} : MtuMss{1422, 1382};
        break;
      case EspIntegrity::kNone:
        throw std::invalid_argument("AES-CBC needs an integrity algorithm");
    }
  }
  if (xml_mss) r.mss = *xml_mss;
  return r;
}

}  // namespace xgw::kernel
