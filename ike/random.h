#pragma once
// Randomness is injected so that tests and benchmarks are deterministic: cookies, nonces,
// SPIs, message IDs, DH private values and lifetime fuzz all come from here.
#include <cstdint>
#include <span>

namespace xgw::ike {

class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;
  std::uint32_t u32() {
    std::uint8_t b[4];
    fill(b);
    return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
  }
};

// A seeded, reproducible generator (xoshiro256** with a splitmix64 seed expansion) for tests,
// benchmarks and fuzzing. Not for production secrets: the controller injects a CSPRNG.
class DeterministicRandom final : public Random {
 public:
  explicit DeterministicRandom(std::uint64_t seed) {
    for (auto& w : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      w = z ^ (z >> 31);
    }
  }
  void fill(std::span<std::uint8_t> out) override {
    std::size_t i = 0;
    while (i < out.size()) {
      std::uint64_t v = next();
      for (int k = 0; k < 8 && i < out.size(); ++k) out[i++] = static_cast<std::uint8_t>(v >> (8 * k));
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    std::uint64_t r = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return r;
  }
  std::uint64_t s_[4]{};
};

}  // namespace xgw::ike
