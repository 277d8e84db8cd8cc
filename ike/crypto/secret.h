#pragma once
// Byte strings holding key material; wiped with OPENSSL_cleanse when destroyed or reassigned.
#include <openssl/crypto.h>

#include "ike/bytes.h"

namespace xgw::ike::crypto {

class Secret {
 public:
  Secret() = default;
  explicit Secret(Bytes b) : b_(std::move(b)) {}
  explicit Secret(ByteView v) : b_(v.begin(), v.end()) {}
  Secret(const Secret& o) : b_(o.b_) {}
  Secret(Secret&& o) noexcept : b_(std::move(o.b_)) {}
  Secret& operator=(const Secret& o) {
    if (this != &o) {
      wipe();
      b_ = o.b_;
    }
    return *this;
  }
  Secret& operator=(Secret&& o) noexcept {
    if (this != &o) {
      wipe();
      b_ = std::move(o.b_);
    }
    return *this;
  }
  ~Secret() { wipe(); }
  void wipe() {
    if (!b_.empty()) OPENSSL_cleanse(b_.data(), b_.size());
    b_.clear();
  }
  ByteView view() const { return b_; }
  const Bytes& bytes() const { return b_; }
  std::size_t size() const { return b_.size(); }
  bool empty() const { return b_.empty(); }
  operator ByteView() const { return b_; }  // NOLINT(google-explicit-constructor)

 private:
  Bytes b_;
};

}  // namespace xgw::ike::crypto
