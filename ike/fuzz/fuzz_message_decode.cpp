// libFuzzer target: every decoder on arbitrary bytes. Decoders must reject bad input with a
// reason, never crash, read out of bounds or allocate without bound; whatever decodes must
// re-encode to something that decodes to the same structure.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "ike/codec/message.h"
#include "ike/codec/payloads.h"

using namespace xgw::ike;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteView in(data, size);
  if (auto m = codec::decode_plain(in)) {
    Bytes again = codec::encode_plain(m->header, m->payloads);
    auto m2 = codec::decode_plain(again);
    if (!m2 || m2->payloads.size() != m->payloads.size()) std::abort();
    for (const auto& p : m->payloads) {
      switch (p.type) {
        case PayloadType::kSa:
          if (auto sa = codec::decode_sa(p.body)) {
            auto sa2 = codec::decode_sa(codec::encode_sa(*sa));
            if (!sa2 || sa2->proposals.size() != sa->proposals.size()) std::abort();
          }
          break;
        case PayloadType::kId: (void)codec::decode_id(p.body); break;
        case PayloadType::kNotify:
          if (auto n = codec::decode_notify(p.body))
            if (codec::encode_notify(*n) != p.body) std::abort();
          break;
        case PayloadType::kDelete:
          if (auto d = codec::decode_delete(p.body))
            if (codec::encode_delete(*d) != p.body) std::abort();
          break;
        case PayloadType::kNatOa:
          if (auto n = codec::decode_nat_oa(p.body)) {
            auto n2 = codec::decode_nat_oa(codec::encode_nat_oa(*n));
            if (!n2 || n2->ipv4 != n->ipv4 || n2->id_type != n->id_type) std::abort();
          }
          break;
        default: break;
      }
    }
  }
  // Payload decoders straight on the input too (bodies are where the length fields live).
  (void)codec::decode_sa(in);
  (void)codec::decode_notify(in);
  (void)codec::decode_delete(in);
  (void)codec::decode_id(in);
  (void)codec::decode_nat_oa(in);
  if (size > 0) (void)codec::decode_chain(static_cast<PayloadType>(data[0]), in.subspan(1), true);
  return 0;
}
