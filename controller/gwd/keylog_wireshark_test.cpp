// An independent oracle for the keylog's formats: tshark (Wireshark's own parser and
// decryption) reads the files KeyLog wrote, copied into a Wireshark profile directory under the
// table names, as an operator would.
//  - IKE: the strongSwan captures in ../shared/fixtures/ike; decrypting their encrypted frames
//    shows the HASH payloads the fixture logged (and without the keylog they stay hidden).
//  - ESP: the fixtures hold no ESP, so packets of every AWS suite are made here with OpenSSL,
//    in both directions of a pair; tshark must find the inner ICMP packet and a good ICV.
// Skipped when tshark is not installed.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "controller/gwd/keylog.h"

namespace xgw::gwd {
namespace {

namespace fs = std::filesystem;
using ike::Bytes;
using ike::EspAuth;

bool have_tshark() { return std::system("command -v tshark >/dev/null 2>&1") == 0; }

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::string strip_colons(std::string s) {
  std::erase(s, ':');
  return s;
}

class KeyLogWireshark : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_tshark()) GTEST_SKIP() << "tshark is not installed";
    dir_ = fs::temp_directory_path() / ("xgw-keylog-ws-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "profile");
    base_ = (dir_ / "keys").string();
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  // The operator's step: the files under the names Wireshark reads from its profile.
  void install_tables() {
    fs::copy_file(KeyLog::ikev1_path(base_), dir_ / "profile" / "ikev1_decryption_table",
                  fs::copy_options::overwrite_existing);
    fs::copy_file(KeyLog::esp_path(base_), dir_ / "profile" / "esp_sa", fs::copy_options::overwrite_existing);
  }
  std::string tshark(const fs::path& pcap, const std::string& args) {
    return run("WIRESHARK_CONFIG_DIR=" + (dir_ / "profile").string() + " tshark -n -r " + pcap.string() + " " + args +
               " 2>/dev/null");  // stderr: the "running as root" notice
  }
  fs::path dir_;
  std::string base_;
};

// ---- IKE: the fixture captures

TEST_F(KeyLogWireshark, IkeTableDecryptsEveryFixtureCapture) {
  fs::path fixtures = XGW_IKE_FIXTURES;
  if (!fs::exists(fixtures)) GTEST_SKIP() << fixtures << " not found";
  for (const char* name : {"aws-default", "strong", "ecp", "nat-t", "expansion"}) {
    SCOPED_TRACE(name);
    nlohmann::json k = nlohmann::json::parse(std::ifstream(fixtures / name / "keys.json"));
    fs::path pcap = fixtures / name / "exchange.pcap";
    // The hashes only the decrypted MM5/MM6 and QM1/QM2/QM3 carry.
    std::vector<std::string> hashes{k["phase1"]["hash_i"], k["phase1"]["hash_r"], k["quick_mode"]["hash1"],
                                    k["quick_mode"]["hash2"], k["quick_mode"]["hash3"]};
    const std::string args = "-Y isakmp.hash -T fields -e isakmp.hash";
    std::string before = strip_colons(tshark(pcap, args));
    for (const auto& h : hashes) EXPECT_EQ(before.find(h), std::string::npos) << "visible without the keylog";

    fs::remove(KeyLog::ikev1_path(base_));
    fs::remove(KeyLog::esp_path(base_));
    {
      KeyLog log(base_);
      ike::KeysEstablished p1;
      p1.cky_i = ike::from_hex(k["phase1"]["cky_i"].get<std::string>());
      p1.enc_key = ike::from_hex(k["phase1"]["enc_key"].get<std::string>());
      ASSERT_FALSE(log.write(p1).has_value());
    }
    install_tables();
    std::string after = strip_colons(tshark(pcap, args));
    for (const auto& h : hashes) EXPECT_NE(after.find(h), std::string::npos) << h << " not in:\n" << after;
    std::string verbose = tshark(pcap, "-Y isakmp -V");
    EXPECT_EQ(verbose.find("Malformed"), std::string::npos);
    EXPECT_NE(verbose.find("Payload: Identification (5)"), std::string::npos);
  }
}

// ---- ESP: packets made here

Bytes evp_encrypt(const EVP_CIPHER* c, const Bytes& key, const Bytes& iv, const Bytes& aad, const Bytes& pt,
                  Bytes* tag) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, c, nullptr, nullptr, nullptr);
  if (tag) EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr);
  EVP_EncryptInit_ex(ctx, nullptr, nullptr, key.data(), iv.data());
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  int n = 0;
  if (!aad.empty()) EVP_EncryptUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size()));
  Bytes out(pt.size() + 16);
  EVP_EncryptUpdate(ctx, out.data(), &n, pt.data(), static_cast<int>(pt.size()));
  int m = 0;
  EVP_EncryptFinal_ex(ctx, out.data() + n, &m);
  out.resize(static_cast<std::size_t>(n + m));
  if (tag) EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag->size()), tag->data());
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

Bytes ipv4(std::uint32_t src, std::uint32_t dst, std::uint8_t proto, const Bytes& payload) {
  Bytes h(20, 0);
  std::size_t len = 20 + payload.size();
  h[0] = 0x45;
  h[2] = static_cast<std::uint8_t>(len >> 8);
  h[3] = static_cast<std::uint8_t>(len);
  h[6] = 0x40;  // DF
  h[8] = 64;    // TTL
  h[9] = proto;
  for (int i = 0; i < 4; ++i) {
    h[12 + i] = static_cast<std::uint8_t>(src >> (24 - 8 * i));
    h[16 + i] = static_cast<std::uint8_t>(dst >> (24 - 8 * i));
  }
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < 20; i += 2) sum += static_cast<std::uint32_t>(h[i] << 8 | h[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  h[10] = static_cast<std::uint8_t>(~sum >> 8);
  h[11] = static_cast<std::uint8_t>(~sum);
  ike::put_bytes(h, payload);
  return h;
}

const std::string kMarker = "xgw keylog oracle";

// Tunnel-mode ESP (RFC 4303) carrying an ICMP echo request with kMarker as its data.
Bytes esp_packet(std::uint32_t src, std::uint32_t dst, std::uint32_t spi, std::uint8_t transform, const Bytes& enc,
                 EspAuth integ, const Bytes& integ_key) {
  // Echo request, identifier 0x1234, sequence 1 (the checksum is left 0: nothing checks it).
  Bytes icmp(8 + kMarker.size(), 0);
  icmp[0] = 8;
  icmp[4] = 0x12;
  icmp[5] = 0x34;
  icmp[7] = 1;
  std::copy(kMarker.begin(), kMarker.end(), icmp.begin() + 8);
  Bytes pt = ipv4(0x0a000001, 0x0a010001, 1, icmp);
  bool gcm = transform != ike::kEspAesCbc;
  std::size_t block = gcm ? 4 : 16;
  std::uint8_t pad = static_cast<std::uint8_t>((block - (pt.size() + 2) % block) % block);
  for (std::uint8_t i = 1; i <= pad; ++i) pt.push_back(i);
  pt.push_back(pad);
  pt.push_back(4);  // next header: IPv4
  Bytes hdr = ike::concat({ike::u32_bytes(spi), ike::u32_bytes(1)});
  Bytes iv(gcm ? 8 : 16, 0x5a), body;
  if (gcm) {
    Bytes key(enc.begin(), enc.end() - 4), nonce(enc.end() - 4, enc.end());
    ike::put_bytes(nonce, iv);
    const EVP_CIPHER* c = key.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    std::size_t icv = transform == ike::kEspAesGcm8 ? 8 : transform == ike::kEspAesGcm12 ? 12 : 16;
    Bytes tag(icv);
    Bytes ct = evp_encrypt(c, key, nonce, hdr, pt, &tag);
    body = ike::concat({hdr, iv, ct, tag});
  } else {
    const EVP_CIPHER* c = enc.size() == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
    Bytes ct = evp_encrypt(c, enc, iv, {}, pt, nullptr);
    body = ike::concat({hdr, iv, ct});
    const EVP_MD* md = integ == EspAuth::kHmacSha1     ? EVP_sha1()
                       : integ == EspAuth::kHmacSha256 ? EVP_sha256()
                       : integ == EspAuth::kHmacSha384 ? EVP_sha384()
                                                       : EVP_sha512();
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    HMAC(md, integ_key.data(), static_cast<int>(integ_key.size()), body.data(), body.size(), mac, &len);
    std::size_t icv = integ == EspAuth::kHmacSha1 ? 12 : len / 2;  // RFC 2404; RFC 4868
    body.insert(body.end(), mac, mac + icv);
  }
  return ipv4(src, dst, 50, body);
}

void write_pcap(const fs::path& p, const std::vector<Bytes>& packets) {
  std::ofstream f(p, std::ios::binary);
  auto u32 = [&](std::uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](std::uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
  u32(0xa1b2c3d4);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(65535);
  u32(101);  // LINKTYPE_RAW: each record is an IP packet
  std::uint32_t t = 1700000000;
  for (const auto& pk : packets) {
    u32(t++);
    u32(0);
    u32(static_cast<std::uint32_t>(pk.size()));
    u32(static_cast<std::uint32_t>(pk.size()));
    f.write(reinterpret_cast<const char*>(pk.data()), static_cast<std::streamsize>(pk.size()));
  }
}

Bytes seq(std::size_t n, std::uint8_t first) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(first + 7 * i);
  return b;
}

TEST_F(KeyLogWireshark, EspTableDecryptsEveryAwsSuiteBothDirections) {
  struct Suite {
    std::uint8_t transform;
    std::size_t enc_len;
    EspAuth integ;
    std::size_t integ_len;
  };
  const Suite suites[] = {
      {ike::kEspAesCbc, 16, EspAuth::kHmacSha1, 20},   {ike::kEspAesCbc, 32, EspAuth::kHmacSha1, 20},
      {ike::kEspAesCbc, 16, EspAuth::kHmacSha256, 32}, {ike::kEspAesCbc, 32, EspAuth::kHmacSha256, 32},
      {ike::kEspAesCbc, 16, EspAuth::kHmacSha384, 48}, {ike::kEspAesCbc, 32, EspAuth::kHmacSha384, 48},
      {ike::kEspAesCbc, 16, EspAuth::kHmacSha512, 64}, {ike::kEspAesCbc, 32, EspAuth::kHmacSha512, 64},
      {ike::kEspAesGcm16, 20, EspAuth::kNone, 0},      {ike::kEspAesGcm16, 36, EspAuth::kNone, 0},
  };
  const std::uint32_t us = 0xc633640a, peer = 0xcb007115;
  std::vector<Bytes> packets;
  {
    KeyLog log(base_);
    std::uint8_t n = 0;
    for (const Suite& s : suites) {
      ike::KeysEstablished k;
      k.esp_spi_in = 0xc0000100u + n;
      k.esp_spi_out = 0xd0000100u + n;
      k.esp_in_enc = seq(s.enc_len, static_cast<std::uint8_t>(n * 11 + 1));
      k.esp_out_enc = seq(s.enc_len, static_cast<std::uint8_t>(n * 11 + 2));
      k.esp_in_integ = seq(s.integ_len, static_cast<std::uint8_t>(n * 11 + 3));
      k.esp_out_integ = seq(s.integ_len, static_cast<std::uint8_t>(n * 11 + 4));
      k.esp_transform = s.transform;
      k.esp_integ = s.integ;
      k.local_ip = us;
      k.remote_ip = peer;
      ASSERT_FALSE(log.write(k).has_value());
      packets.push_back(esp_packet(peer, us, k.esp_spi_in, s.transform, k.esp_in_enc, s.integ, k.esp_in_integ));
      packets.push_back(esp_packet(us, peer, k.esp_spi_out, s.transform, k.esp_out_enc, s.integ, k.esp_out_integ));
      ++n;
    }
  }
  fs::path pcap = dir_ / "esp.pcap";
  write_pcap(pcap, packets);
  const std::string fields = "-T fields -E separator=, -e frame.number -e esp.spi -e icmp.type -e data.data -e esp.icv_good";
  std::string before = tshark(pcap, "-o esp.enable_encryption_decode:TRUE " + fields);
  EXPECT_EQ(before.find(ike::to_hex(Bytes(kMarker.begin(), kMarker.end()))), std::string::npos) << before;

  install_tables();
  std::string out = tshark(pcap, "-o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE " + fields);
  std::istringstream lines(out);
  std::string line, marker = ike::to_hex(Bytes(kMarker.begin(), kMarker.end()));
  std::size_t good = 0;
  while (std::getline(lines, line)) {
    // frame,spi,icmp type,data,icv_good: ICMP echo request (8) with our data, and a good ICV
    // (the HMAC or, for GCM, the tag).
    bool decrypted = line.find(",8," + marker) != std::string::npos;
    bool icv_ok = line.ends_with(",1") || line.ends_with(",True");
    EXPECT_TRUE(decrypted && icv_ok) << line;
    if (decrypted && icv_ok) ++good;
  }
  EXPECT_EQ(good, packets.size()) << out;
}

}  // namespace
}  // namespace xgw::gwd
