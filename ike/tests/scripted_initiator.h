#pragma once
// A hand-driven IKEv1 initiator for tests that need messages our engine never sends (e.g.
// NAT-OA payloads in Quick Mode): it runs Main Mode (RFC 2409 §5) and Quick Mode (§5.5)
// against an Engine acting as responder, built from the same codec and crypto primitives, so
// a test can add payloads to QM1 and still authenticate it with a correct HASH(1).
#include <gtest/gtest.h>

#include <optional>

#include "ike/codec/message.h"
#include "ike/codec/payloads.h"
#include "ike/crypto/dh.h"
#include "ike/crypto/keys.h"
#include "ike/crypto/protect.h"
#include "ike/engine.h"
#include "ike/proposal.h"

namespace xgw::ike::test {

class ScriptedInitiator {
 public:
  // `cfg` is the initiator's side (local_ip = our address, remote_ip = the engine's).
  ScriptedInitiator(Engine& responder, PeerConfig cfg, std::uint64_t seed) : eng_(responder), cfg_(std::move(cfg)), rng_(seed) {}

  Endpoint local{}, remote{};  // as the responder sees them: it receives from `local`

  // MM1..MM6; false (with a gtest failure) if the responder did not complete it.
  bool main_mode() {
    local = {cfg_.local_ip, kIkePort};
    remote = {cfg_.remote_ip, kIkePort};
    rng_.fill(cky_i_);
    sai_b_ = codec::encode_sa(build_phase1_sa(cfg_));
    codec::Header h = header(Exchange::kIdentityProtection, 0);
    auto mm2 = exchange(codec::encode_plain(h, {{PayloadType::kSa, sai_b_}}));
    if (!mm2) return false;
    auto m2 = codec::decode_plain(*mm2);
    if (!m2) return false;
    cky_r_ = m2->header.cky_r;
    std::string why;
    auto choice = accept_phase1(*codec::decode_sa(m2->payloads.at(0).body), cfg_, why);
    EXPECT_TRUE(choice) << why;
    if (!choice) return false;
    hash_ = choice->suite.hash;
    auto dh = crypto::DhKey::generate(choice->suite.group, rng_, dh_options(cfg_));
    ni_ = Bytes(32);
    rng_.fill(ni_);
    Bytes g_xi = dh->public_value();
    auto mm4 = exchange(codec::encode_plain(header(Exchange::kIdentityProtection, 0),
                                            {{PayloadType::kKe, g_xi}, {PayloadType::kNonce, ni_}}));
    if (!mm4) return false;
    auto m4 = codec::decode_plain(*mm4);
    Bytes g_xr = find(m4->payloads, PayloadType::kKe), nr = find(m4->payloads, PayloadType::kNonce);
    auto gxy = dh->shared_secret(g_xr);
    keys_ = crypto::derive_phase1_psk(hash_, cfg_.psk, ni_, nr, *gxy, cky_i_, cky_r_, choice->suite.key_bits / 8u);
    Bytes iv = crypto::phase1_iv(hash_, g_xi, g_xr);
    Bytes idii = codec::encode_id({kIdIpv4Addr, 0, 0, u32_bytes(cfg_.local_ip)});
    Bytes hi = crypto::hash_i(hash_, keys_.skeyid, g_xi, g_xr, cky_i_, cky_r_, sai_b_, idii);
    auto mm5 = crypto::encrypt_message(header(Exchange::kIdentityProtection, 0), PayloadType::kId,
                                       codec::encode_chain({{PayloadType::kId, idii}, {PayloadType::kHash, hi}}),
                                       keys_.enc_key, iv);
    auto mm6 = exchange(mm5->datagram);
    if (!mm6) return false;
    auto d6 = crypto::decrypt_message(*mm6, keys_.enc_key, mm5->last_block);
    EXPECT_TRUE(d6);
    if (!d6) return false;
    last_p1_block_ = d6->last_block;
    return true;
  }

  // QM1 (with `extra` payloads appended before HASH(1) is computed), QM2, QM3. Returns true
  // when the responder answered QM1 with a QM2 whose HASH(2) verifies.
  bool quick_mode(const std::vector<codec::RawPayload>& extra, EncapMode mode = EncapMode::kTunnel) {
    std::uint32_t mid = rng_.u32() | 1;
    Bytes iv = crypto::phase2_iv(hash_, last_p1_block_, mid);
    Bytes ni(32);
    rng_.fill(ni);
    auto suite = usable_esp_suites(cfg_).front();
    std::optional<crypto::DhKey> dh;
    std::vector<codec::RawPayload> rest{{PayloadType::kSa, codec::encode_sa(build_esp_sa(cfg_, 0x1000, mode))},
                                        {PayloadType::kNonce, ni}};
    if (suite.pfs_group) {
      dh.emplace(std::move(crypto::DhKey::generate(suite.pfs_group, rng_, dh_options(cfg_)).value()));
      rest.push_back({PayloadType::kKe, dh->public_value()});
    }
    rest.push_back({PayloadType::kId, ts_id(cfg_.local_ts)});
    rest.push_back({PayloadType::kId, ts_id(cfg_.remote_ts)});
    for (const auto& x : extra) rest.push_back(x);
    Bytes h1 = crypto::qm_hash1(hash_, keys_.skeyid_a, mid, codec::encode_chain(rest));
    rest.insert(rest.begin(), {PayloadType::kHash, h1});
    auto qm1 = crypto::encrypt_message(header(Exchange::kQuickMode, mid), PayloadType::kHash, codec::encode_chain(rest),
                                       keys_.enc_key, iv);
    auto qm2 = exchange(qm1->datagram);
    if (!qm2) return false;
    auto d2 = crypto::decrypt_message(*qm2, keys_.enc_key, qm1->last_block);
    if (!d2) return false;
    auto pl = codec::decode_chain(d2->header.next, d2->plaintext, true);
    if (!pl || pl->empty() || pl->front().type != PayloadType::kHash) return false;
    Bytes after = codec::encode_chain(std::vector<codec::RawPayload>(pl->begin() + 1, pl->end()));
    if (pl->front().body != crypto::qm_hash2(hash_, keys_.skeyid_a, mid, ni, after)) return false;
    Bytes nr = find(*pl, PayloadType::kNonce);
    Bytes h3 = crypto::qm_hash3(hash_, keys_.skeyid_a, mid, ni, nr);
    auto qm3 = crypto::encrypt_message(header(Exchange::kQuickMode, mid), PayloadType::kHash,
                                       codec::encode_chain({{PayloadType::kHash, h3}}), keys_.enc_key, d2->last_block);
    eng_.on_datagram(remote, local, qm3->datagram, 0);
    return true;
  }

  // What the responder did since the last call (datagrams it sent are consumed by exchange()).
  std::vector<Action> actions;

 private:
  static Bytes find(const std::vector<codec::RawPayload>& pl, PayloadType t) {
    for (const auto& p : pl)
      if (p.type == t) return p.body;
    ADD_FAILURE() << "missing " << codec::payload_name(t);
    return {};
  }
  static Bytes ts_id(const Subnet& s) {
    return codec::encode_id({kIdIpv4AddrSubnet, 0, 0, concat({u32_bytes(s.addr), u32_bytes(s.mask)})});
  }
  codec::Header header(Exchange ex, std::uint32_t mid) const {
    codec::Header h;
    h.cky_i = cky_i_;
    h.cky_r = cky_r_;
    h.exchange = ex;
    h.message_id = mid;
    return h;
  }
  // Sends one request and returns the responder's answer (the first datagram it sends).
  std::optional<Bytes> exchange(const Bytes& request) {
    eng_.on_datagram(remote, local, request, 0);
    std::optional<Bytes> answer;
    for (auto& a : eng_.take_actions()) {
      if (auto* d = std::get_if<SendDatagram>(&a); d && !answer) answer = d->data;
      actions.push_back(std::move(a));
    }
    EXPECT_TRUE(answer) << "no answer from the responder";
    return answer;
  }

  Engine& eng_;
  PeerConfig cfg_;
  DeterministicRandom rng_;
  codec::Cookie cky_i_{}, cky_r_{};
  Bytes sai_b_, ni_, last_p1_block_;
  HashAlg hash_ = HashAlg::kSha1;
  crypto::Phase1Keys keys_;
};

}  // namespace xgw::ike::test
