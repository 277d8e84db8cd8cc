// Known-answer tests against five real strongSwan IKEv1 exchanges (../shared/fixtures/ike).
// Every value is derived from its inputs with our code and compared with what strongSwan
// logged; every captured message is parsed, every encrypted one decrypted and its HASH checked.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "ike/codec/message.h"
#include "ike/codec/payloads.h"
#include "ike/crypto/hash.h"
#include "ike/crypto/keys.h"
#include "ike/crypto/protect.h"
#include "ike/proposal.h"

namespace xgw::ike {
namespace {

using nlohmann::json;

Bytes hx(const json& j) {
  bool ok = false;
  Bytes b = from_hex(j.get<std::string>(), &ok);
  EXPECT_TRUE(ok) << j;
  return b;
}

json load_case(const std::string& name) {
  std::string path = std::string(XGW_IKE_FIXTURES) + "/" + name + "/keys.json";
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "fixture missing: " << path
                  << " (the repository must be cloned beside shared/; see ../shared/fixtures/ike/README.md)";
    return json();
  }
  return json::parse(in);
}

HashAlg parse_hash(const std::string& s) {
  if (s.find("SHA2-512") != std::string::npos) return HashAlg::kSha512;
  if (s.find("SHA2-384") != std::string::npos) return HashAlg::kSha384;
  if (s.find("SHA2-256") != std::string::npos) return HashAlg::kSha256;
  return HashAlg::kSha1;
}

std::uint32_t parse_ipv4(const std::string& s) {
  unsigned a, b, c, d;
  EXPECT_EQ(std::sscanf(s.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d), 4) << s;
  return a << 24 | b << 16 | c << 8 | d;
}

std::uint16_t parse_port(const std::string& s) { return static_cast<std::uint16_t>(std::stoul(s.substr(s.find(':') + 1))); }

class Kat : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    j = load_case(GetParam());
    ASSERT_FALSE(j.is_null());
    const auto& t = j["phase1"]["proposal_selected_mm2"]["proposals"][0]["transforms"][0]["attributes"];
    h = parse_hash(t["hash_algorithm"].get<std::string>());
    key_len = t["key_length"].get<std::size_t>() / 8;
    const auto& p1 = j["phase1"];
    keys = crypto::derive_phase1_psk(h, hx(j["psk"]["hex"]), hx(p1["ni"]), hx(p1["nr"]), hx(p1["g_xy"]),
                                     hx(p1["cky_i"]), hx(p1["cky_r"]), key_len);
  }
  json j;
  HashAlg h{};
  std::size_t key_len = 0;
  crypto::Phase1Keys keys;
};

TEST_P(Kat, Phase1KeyChain) {
  const auto& p1 = j["phase1"];
  EXPECT_EQ(to_hex(keys.skeyid), p1["skeyid"]);
  EXPECT_EQ(to_hex(keys.skeyid_d), p1["skeyid_d"]);
  EXPECT_EQ(to_hex(keys.skeyid_a), p1["skeyid_a"]);
  EXPECT_EQ(to_hex(keys.skeyid_e), p1["skeyid_e"]);
  EXPECT_EQ(to_hex(keys.enc_key), p1["enc_key"]);
  EXPECT_EQ(keys.skeyid_e.size() < key_len, p1["enc_key_rfc2409_appendix_b_expansion"].get<bool>());
  EXPECT_EQ(to_hex(crypto::phase1_iv(h, hx(p1["g_xi"]), hx(p1["g_xr"]))), p1["iv_phase1"]);
}

TEST_P(Kat, HashIAndHashR) {
  const auto& p1 = j["phase1"];
  Bytes in_i = concat({hx(p1["g_xi"]), hx(p1["g_xr"]), hx(p1["cky_i"]), hx(p1["cky_r"]), hx(p1["sai_b"]), hx(p1["idii_b"])});
  EXPECT_EQ(to_hex(in_i), p1["hash_i_input"]);
  EXPECT_EQ(to_hex(crypto::hash_i(h, keys.skeyid, hx(p1["g_xi"]), hx(p1["g_xr"]), hx(p1["cky_i"]), hx(p1["cky_r"]),
                                  hx(p1["sai_b"]), hx(p1["idii_b"]))),
            p1["hash_i"]);
  EXPECT_EQ(to_hex(crypto::hash_r(h, keys.skeyid, hx(p1["g_xi"]), hx(p1["g_xr"]), hx(p1["cky_i"]), hx(p1["cky_r"]),
                                  hx(p1["sai_b"]), hx(p1["idir_b"]))),
            p1["hash_r"]);
  EXPECT_EQ(to_hex(codec::encode_id({kIdIpv4Addr, 0, 0, u32_bytes(parse_ipv4(j["endpoints"]["initiator"]["id"].get<std::string>().substr(13)))})),
            p1["idii_b"]);
}

TEST_P(Kat, Phase2IvsByMessageId) {
  Bytes last = hx(j["phase1"]["last_cipher_block_mm6"]);
  int n = 0;
  for (auto& [mid, v] : j["ivs_by_message_id"].items()) {
    std::uint32_t m = static_cast<std::uint32_t>(std::stoul(mid, nullptr, 16));
    if (m == 0) continue;
    EXPECT_EQ(to_hex(crypto::phase2_iv(h, last, m)), v["iv"]) << mid;
    ++n;
  }
  EXPECT_GE(n, 10);
}

TEST_P(Kat, NatDHashes) {
  const auto& p1 = j["phase1"];
  int n = 0;
  for (const auto* side : {"initiator_log", "responder_log"}) {
    for (const auto& e : p1["nat_d"][side]) {
      if (!e.contains("address")) continue;
      auto in = concat({hx(p1["cky_i"]), hx(p1["cky_r"]), u32_bytes(parse_ipv4(e["address"]))});
      put_u16(in, e["port"].get<std::uint16_t>());
      EXPECT_EQ(to_hex(in), e["input"]);
      EXPECT_EQ(to_hex(crypto::natd_hash(h, hx(p1["cky_i"]), hx(p1["cky_r"]), parse_ipv4(e["address"]),
                                         e["port"].get<std::uint16_t>())),
                e["hash"]);
      ++n;
    }
  }
  EXPECT_GE(n, 4);
}

TEST_P(Kat, QuickModeKeymat) {
  const auto& qm = j["quick_mode"];
  const auto& t = qm["proposal_selected_qm2"]["proposals"][0]["transforms"][0]["attributes"];
  std::size_t enc = t["key_length"].get<std::size_t>() / 8;
  std::string auth = t["authentication_algorithm"];
  std::size_t integ = auth.find("SHA1") != std::string::npos ? 20 : auth.find("256") != std::string::npos ? 32
                      : auth.find("384") != std::string::npos ? 48 : 64;
  for (const auto& sa : qm["esp_sas"]) {
    // initiator -> responder uses spi_r with seed g^xy|3|SPI_r|Ni|Nr, the other direction spi_i.
    auto km = crypto::keymat(h, keys.skeyid_d, hx(qm["pfs_g_xy"]), 3, hx(sa["spi"]), hx(qm["ni"]), hx(qm["nr"]), enc + integ);
    EXPECT_EQ(to_hex(km.view().first(enc)), sa["enc_key"]);
    EXPECT_EQ(to_hex(km.view().subspan(enc)), sa["integ_key"]);
  }
  auto seed = concat({hx(qm["pfs_g_xy"]), Bytes{3}, hx(qm["spi_r"]), hx(qm["ni"]), hx(qm["nr"])});
  EXPECT_EQ(to_hex(seed), qm["keymat_seed_for_spi_r"]);
}

// Walks every captured message in order, keeping the IV state per message ID as a receiver
// would, and checks each message's structure, plaintext and HASH.
TEST_P(Kat, EveryMessageParsesDecryptsAndVerifies) {
  const auto& p1 = j["phase1"];
  const auto& qm = j["quick_mode"];
  std::map<std::uint32_t, Bytes> iv;
  iv[0] = hx(p1["iv_phase1"]);
  Bytes last_p1 = hx(p1["last_cipher_block_mm6"]);
  std::map<std::uint32_t, json> info_by_mid;
  for (const auto& i : j["informational"]) info_by_mid[std::stoul(i["message_id"].get<std::string>(), nullptr, 16)] = i;
  int encrypted = 0;
  for (const auto& m : j["messages"]) {
    SCOPED_TRACE(m["label"].get<std::string>());
    Bytes wire = hx(m["isakmp_message"]);
    auto hdr = codec::decode_header(wire);
    ASSERT_TRUE(hdr) << hdr.error().reason;
    if (m.value("non_esp_marker", false)) {
      EXPECT_EQ(parse_port(m["src"]), kNatTPort);
      EXPECT_EQ(parse_port(m["dst"]), kNatTPort);
    }
    Bytes chain_bytes;
    if (!m["encrypted"].get<bool>()) {
      auto msg = codec::decode_plain(wire);
      ASSERT_TRUE(msg) << msg.error().reason;
      ASSERT_EQ(msg->payloads.size(), m["payloads"].size());
      for (std::size_t i = 0; i < msg->payloads.size(); ++i)
        EXPECT_EQ(to_hex(msg->payloads[i].body), m["payloads"][i]["body"]);
      EXPECT_EQ(codec::encode_plain(msg->header, msg->payloads), wire);  // re-encodes byte for byte
      if (msg->payloads[0].type == PayloadType::kSa) {
        auto sa = codec::decode_sa(msg->payloads[0].body);
        ASSERT_TRUE(sa) << sa.error().reason;
        EXPECT_EQ(codec::encode_sa(*sa), msg->payloads[0].body);
      }
      continue;
    }
    ++encrypted;
    std::uint32_t mid = hdr->message_id;
    if (!iv.count(mid)) iv[mid] = crypto::phase2_iv(h, last_p1, mid);
    EXPECT_EQ(to_hex(iv[mid]), m["iv"]);
    auto dec = crypto::decrypt_message(wire, keys.enc_key, iv[mid]);
    ASSERT_TRUE(dec) << dec.error().reason;
    iv[mid] = dec->last_block;  // CBC chaining within one exchange
    if (m.contains("last_cipher_block") && !m["last_cipher_block"].is_null()) {
      EXPECT_EQ(to_hex(dec->last_block), m["last_cipher_block"]);
    }
    EXPECT_EQ(to_hex(dec->plaintext), m["plaintext"].get<std::string>() + m["padding"].get<std::string>());
    auto chain = codec::decode_chain(hdr->next, dec->plaintext, true);
    ASSERT_TRUE(chain) << chain.error().reason;
    ASSERT_EQ(chain->size(), m["payloads"].size());
    for (std::size_t i = 0; i < chain->size(); ++i) EXPECT_EQ(to_hex((*chain)[i].body), m["payloads"][i]["body"]);
    EXPECT_EQ(to_hex(codec::encode_chain(*chain)), m["plaintext"]);
    std::string label = m["label"];
    const auto& hash_body = label == "MM5" || label == "MM6" ? (*chain)[1].body : (*chain)[0].body;
    std::vector<codec::RawPayload> rest(chain->begin() + 1, chain->end());
    Bytes rest_b = codec::encode_chain(rest);
    if (label == "MM5") {
      EXPECT_EQ(to_hex(hash_body), p1["hash_i"]);
    } else if (label == "MM6") {
      EXPECT_EQ(to_hex(hash_body), p1["hash_r"]);
    } else if (label == "QM1") {
      EXPECT_EQ(to_hex(crypto::qm_hash1(h, keys.skeyid_a, mid, rest_b)), qm["hash1"]);
      EXPECT_EQ(to_hex(hash_body), qm["hash1"]);
      auto sa = codec::decode_sa((*chain)[1].body);
      ASSERT_TRUE(sa) << sa.error().reason;
      EXPECT_EQ(to_hex(sa->proposals[0].spi), qm["spi_i"]);
      auto* mode = sa->proposals[0].transforms[0].find(static_cast<std::uint16_t>(P2Attr::kEncapMode));
      ASSERT_NE(mode, nullptr);
      EXPECT_EQ(mode->value, GetParam() == "nat-t" ? 3 : 1);
      EXPECT_EQ(to_hex((*chain)[4].body), qm["idci_b"]);
    } else if (label == "QM2") {
      EXPECT_EQ(to_hex(crypto::qm_hash2(h, keys.skeyid_a, mid, hx(qm["ni"]), rest_b)), qm["hash2"]);
      EXPECT_EQ(to_hex(hash_body), qm["hash2"]);
    } else if (label == "QM3") {
      EXPECT_EQ(to_hex(crypto::qm_hash3(h, keys.skeyid_a, mid, hx(qm["ni"]), hx(qm["nr"]))), qm["hash3"]);
      EXPECT_EQ(to_hex(hash_body), qm["hash3"]);
    } else {
      ASSERT_TRUE(info_by_mid.count(mid));
      const auto& info = info_by_mid[mid];
      EXPECT_EQ(to_hex(crypto::info_hash(h, keys.skeyid_a, mid, rest_b)), info["hash"]);
      EXPECT_EQ(to_hex(hash_body), info["hash"]);
      if ((*chain)[1].type == PayloadType::kNotify) {
        auto n = codec::decode_notify((*chain)[1].body);
        ASSERT_TRUE(n) << n.error().reason;
        EXPECT_EQ(to_hex(n->spi), info["notify_spi"]);
        ASSERT_EQ(n->data.size(), 4u);
        EXPECT_EQ(get_u32(n->data.data()), info["dpd_sequence"].get<std::uint32_t>());
        EXPECT_TRUE(n->type == static_cast<std::uint16_t>(NotifyType::kRUThere) ||
                    n->type == static_cast<std::uint16_t>(NotifyType::kRUThereAck));
      } else {
        auto d = codec::decode_delete((*chain)[1].body);
        ASSERT_TRUE(d) << d.error().reason;
        ASSERT_EQ(d->spis.size(), info["delete_spis"].size());
        EXPECT_EQ(to_hex(d->spis[0]), info["delete_spis"][0]);
        EXPECT_EQ(codec::encode_delete(*d), (*chain)[1].body);
      }
    }
  }
  EXPECT_GE(encrypted, 15);
}

// Our SA payloads for the same configuration are byte-identical to strongSwan's (same
// attribute order), and we select strongSwan's offer the way it selected ours.
TEST_P(Kat, OurProposalsEncodeLikeStrongSwan) {
  const auto& t1 = j["phase1"]["proposal_offered_mm1"]["proposals"][0]["transforms"][0]["attributes"];
  const auto& q = j["quick_mode"];
  const auto& t2 = q["proposal_offered_qm1"]["proposals"][0]["transforms"][0]["attributes"];
  auto num = [](const json& v) { return static_cast<std::uint16_t>(std::stoul(v.get<std::string>().substr(v.get<std::string>().rfind('(') + 1))); };
  PeerConfig cfg;
  cfg.ike_suites = {{t1["key_length"].get<std::uint16_t>(), h, num(t1["group_description"])}};
  cfg.ike_lifetime_s = t1["life_duration"].get<std::uint32_t>();
  cfg.esp_suites = {{kEspAesCbc, t2["key_length"].get<std::uint16_t>(), static_cast<EspAuth>(num(t2["authentication_algorithm"])),
                     num(t2["group_description"])}};
  cfg.esp_lifetime_s = t2["sa_life_duration"].get<std::uint32_t>();
  EXPECT_EQ(to_hex(codec::encode_sa(build_phase1_sa(cfg))), j["phase1"]["sai_b"]);
  EncapMode mode = static_cast<EncapMode>(num(t2["encapsulation_mode"]));
  std::uint32_t spi_i = static_cast<std::uint32_t>(std::stoul(q["spi_i"].get<std::string>(), nullptr, 16));
  Bytes qm1_sa;
  for (const auto& m : j["messages"])
    if (m["label"] == "QM1") qm1_sa = hx(m["payloads"][1]["body"]);
  EXPECT_EQ(codec::encode_sa(build_esp_sa(cfg, spi_i, mode)), qm1_sa);
  // As responder we pick what strongSwan picked.
  std::string why;
  auto offer = codec::decode_sa(hx(j["phase1"]["sai_b"]));
  ASSERT_TRUE(offer);
  auto c1 = select_phase1(*offer, cfg, why);
  ASSERT_TRUE(c1) << why;
  EXPECT_EQ(c1->lifetime_s, cfg.ike_lifetime_s);
  auto offer2 = codec::decode_sa(qm1_sa);
  ASSERT_TRUE(offer2);
  auto c2 = select_esp(*offer2, cfg, mode == EncapMode::kUdpTunnel, why);
  ASSERT_TRUE(c2) << why;
  EXPECT_EQ(to_hex(c2->peer_spi), q["spi_i"]);
}

// Reads exchange.pcap (classic pcap, Ethernet, IPv4/UDP) and checks that every captured
// datagram is the logged ISAKMP message, with the 4-byte non-ESP marker exactly on UDP 4500.
TEST_P(Kat, PcapFramesMatchMessagesAndMarkers) {
  std::string path = std::string(XGW_IKE_FIXTURES) + "/" + GetParam() + "/exchange.pcap";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  Bytes pcap((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto le32 = [&](std::size_t o) {
    return std::uint32_t{pcap[o]} | std::uint32_t{pcap[o + 1]} << 8 | std::uint32_t{pcap[o + 2]} << 16 |
           std::uint32_t{pcap[o + 3]} << 24;
  };
  ASSERT_GE(pcap.size(), 24u);
  ASSERT_EQ(le32(0), 0xa1b2c3d4u);
  ASSERT_EQ(le32(20), 1u);  // LINKTYPE_ETHERNET
  std::size_t off = 24, frame = 0;
  const auto& msgs = j["messages"];
  while (off + 16 <= pcap.size()) {
    std::uint32_t incl = le32(off + 8);
    ASSERT_LE(off + 16 + incl, pcap.size());
    ByteView pkt(pcap.data() + off + 16, incl);
    off += 16 + incl;
    ASSERT_LT(frame, msgs.size());
    const auto& m = msgs[frame++];
    SCOPED_TRACE(m["label"].get<std::string>());
    ASSERT_GE(pkt.size(), 14u + 20u + 8u);
    ASSERT_EQ(get_u16(&pkt[12]), 0x0800);
    std::size_t ihl = (pkt[14] & 15u) * 4u;
    ASSERT_EQ(pkt[14 + 9], 17);  // UDP
    ByteView udp = pkt.subspan(14 + ihl);
    std::uint16_t sport = get_u16(&udp[0]), dport = get_u16(&udp[2]);
    EXPECT_EQ(sport, parse_port(m["src"]));
    EXPECT_EQ(dport, parse_port(m["dst"]));
    ByteView payload = udp.subspan(8, get_u16(&udp[4]) - 8u);
    bool marker = sport == kNatTPort || dport == kNatTPort;
    EXPECT_EQ(marker, m.value("non_esp_marker", false));
    if (marker) {
      ASSERT_GE(payload.size(), kNonEspMarkerLen);
      EXPECT_EQ(get_u32(payload.data()), 0u);  // RFC 3948 §2.2
      payload = payload.subspan(kNonEspMarkerLen);
    }
    EXPECT_EQ(to_hex(payload), m["isakmp_message"]);
    EXPECT_TRUE(codec::decode_header(payload));
  }
  EXPECT_EQ(frame, msgs.size());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Kat, ::testing::Values("aws-default", "strong", "ecp", "nat-t", "expansion"),
                         [](const auto& param_info) {
                           std::string s = param_info.param;
                           for (auto& c : s)
                             if (c == '-') c = '_';
                           return s;
                         });

}  // namespace
}  // namespace xgw::ike
