#pragma once
// The production source of randomness for the IKE engine: OpenSSL's CSPRNG.
#include <openssl/rand.h>

#include <stdexcept>

#include "ike/random.h"

namespace xgw::gwd {

class OpenSslRandom final : public ike::Random {
 public:
  void fill(std::span<std::uint8_t> out) override {
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  }
};

}  // namespace xgw::gwd
