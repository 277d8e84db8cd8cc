#pragma once
// A bounds-checked cursor over received bytes. Every read checks the remaining length first,
// so a decoder built on it cannot read out of bounds; a failed read leaves the cursor unusable.
#include <cstdint>

#include "ike/bytes.h"

namespace xgw::ike::codec {

class Reader {
 public:
  explicit Reader(ByteView data) : data_(data) {}
  std::size_t remaining() const { return data_.size() - pos_; }
  std::size_t pos() const { return pos_; }
  bool u8(std::uint8_t& v) {
    if (remaining() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (remaining() < 2) return false;
    v = get_u16(&data_[pos_]);
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& v) {
    if (remaining() < 4) return false;
    v = get_u32(&data_[pos_]);
    pos_ += 4;
    return true;
  }
  bool view(std::size_t n, ByteView& v) {
    if (remaining() < n) return false;
    v = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool bytes(std::size_t n, Bytes& v) {
    ByteView s;
    if (!view(n, s)) return false;
    v.assign(s.begin(), s.end());
    return true;
  }
  ByteView rest() const { return data_.subspan(pos_); }

 private:
  ByteView data_;
  std::size_t pos_ = 0;
};

}  // namespace xgw::ike::codec
