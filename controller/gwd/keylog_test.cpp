// The keylog's table lines for every algorithm AWS allows, and its file handling.
// keylog_wireshark_test.cpp checks the same lines against tshark itself.
#include "controller/gwd/keylog.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace xgw::gwd {
namespace {

using ike::Bytes;
using ike::EspAuth;

Bytes seq(std::size_t n, std::uint8_t first) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(first + i);
  return b;
}

constexpr std::uint32_t kUs = 0xc633640a;    // 198.51.100.10
constexpr std::uint32_t kPeer = 0xcb007115;  // 203.0.113.21

TEST(KeyLogFormat, Ikev1LineIsTwoBareHexFields) {
  // aws-default fixture: CKY-I and the phase 1 encryption key.
  Bytes cky = ike::from_hex("acbcf9347ad1ba6c"), key = ike::from_hex("010d77af1e9e51fcc4d5b2151596bbc0");
  EXPECT_EQ(ikev1_decryption_line(cky, key), "acbcf9347ad1ba6c,010d77af1e9e51fcc4d5b2151596bbc0");
}

// Every ESP suite AWS allows: AES-CBC 128/256 with SHA-1 and SHA2-256/384/512, and AES-GCM-16
// 128/256 (whose keys carry the 4-byte salt).
struct Row {
  const char* what;
  std::uint8_t transform;
  std::size_t enc_len;
  EspAuth integ;
  std::size_t integ_len;
  const char* enc_name;
  const char* auth_name;
};
const Row kRows[] = {
    {"aes128 sha1", ike::kEspAesCbc, 16, EspAuth::kHmacSha1, 20, "AES-CBC [RFC3602]", "HMAC-SHA-1-96 [RFC2404]"},
    {"aes256 sha1", ike::kEspAesCbc, 32, EspAuth::kHmacSha1, 20, "AES-CBC [RFC3602]", "HMAC-SHA-1-96 [RFC2404]"},
    {"aes128 sha256", ike::kEspAesCbc, 16, EspAuth::kHmacSha256, 32, "AES-CBC [RFC3602]", "HMAC-SHA-256-128 [RFC4868]"},
    {"aes256 sha256", ike::kEspAesCbc, 32, EspAuth::kHmacSha256, 32, "AES-CBC [RFC3602]", "HMAC-SHA-256-128 [RFC4868]"},
    {"aes128 sha384", ike::kEspAesCbc, 16, EspAuth::kHmacSha384, 48, "AES-CBC [RFC3602]", "HMAC-SHA-384-192 [RFC4868]"},
    {"aes256 sha384", ike::kEspAesCbc, 32, EspAuth::kHmacSha384, 48, "AES-CBC [RFC3602]", "HMAC-SHA-384-192 [RFC4868]"},
    {"aes128 sha512", ike::kEspAesCbc, 16, EspAuth::kHmacSha512, 64, "AES-CBC [RFC3602]", "HMAC-SHA-512-256 [RFC4868]"},
    {"aes256 sha512", ike::kEspAesCbc, 32, EspAuth::kHmacSha512, 64, "AES-CBC [RFC3602]", "HMAC-SHA-512-256 [RFC4868]"},
    {"aes128gcm16", ike::kEspAesGcm16, 20, EspAuth::kNone, 0, "AES-GCM with 16 octet ICV [RFC4106]", "NULL"},
    {"aes256gcm16", ike::kEspAesGcm16, 36, EspAuth::kNone, 0, "AES-GCM with 16 octet ICV [RFC4106]", "NULL"},
};

TEST(KeyLogFormat, EspLineForEveryAwsSuite) {
  for (const Row& r : kRows) {
    SCOPED_TRACE(r.what);
    Bytes enc = seq(r.enc_len, 0x10), integ = seq(r.integ_len, 0xa0);
    auto line = esp_sa_line({kPeer, kUs, 0xc4876480, r.transform, enc, r.integ, integ});
    ASSERT_TRUE(line.has_value());
    std::string integ_field = r.integ_len ? "0x" + ike::to_hex(integ) : "";
    EXPECT_EQ(*line, std::string("\"IPv4\",\"203.0.113.21\",\"198.51.100.10\",\"0xc4876480\",\"") + r.enc_name +
                         "\",\"0x" + ike::to_hex(enc) + "\",\"" + r.auth_name + "\",\"" + integ_field + "\"");
  }
}

TEST(KeyLogFormat, SpiKeepsLeadingZerosAndGcmIcvLengthsAreNamed) {
  Bytes k = seq(20, 0);
  auto line = esp_sa_line({kUs, kPeer, 0x00000100, ike::kEspAesGcm8, k, EspAuth::kNone, {}});
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("\"0x00000100\""), std::string::npos);
  EXPECT_EQ(esp_encryption_name(ike::kEspAesGcm8), "AES-GCM with 8 octet ICV [RFC4106]");
  EXPECT_EQ(esp_encryption_name(ike::kEspAesGcm12), "AES-GCM with 12 octet ICV [RFC4106]");
  EXPECT_FALSE(esp_encryption_name(3).has_value());  // 3DES: no AWS suite, not named
  EXPECT_FALSE(esp_sa_line({kUs, kPeer, 0x1000, 3, k, EspAuth::kHmacSha1, k}).has_value());
}

ike::KeysEstablished esp_pair() {
  ike::KeysEstablished k;
  k.cky_i = ike::from_hex("acbcf9347ad1ba6c");
  k.cky_r = ike::from_hex("69f995f6d02036d7");
  k.esp_spi_in = 0xcc670c89;
  k.esp_spi_out = 0xc4876480;
  k.esp_in_enc = seq(16, 1);
  k.esp_in_integ = seq(20, 2);
  k.esp_out_enc = seq(16, 3);
  k.esp_out_integ = seq(20, 4);
  k.esp_transform = ike::kEspAesCbc;
  k.esp_integ = EspAuth::kHmacSha1;
  k.local_ip = kUs;
  k.remote_ip = kPeer;
  return k;
}

TEST(KeyLogFormat, IsakmpEventGivesOneIkeLineAndEspPairTwoEspLines) {
  ike::KeysEstablished p1;
  p1.cky_i = ike::from_hex("acbcf9347ad1ba6c");
  p1.enc_key = seq(16, 9);
  KeyLines a = key_lines(p1);
  ASSERT_EQ(a.ikev1.size(), 1u);
  EXPECT_TRUE(a.esp.empty());

  KeyLines b = key_lines(esp_pair());
  EXPECT_TRUE(b.ikev1.empty());
  ASSERT_EQ(b.esp.size(), 2u);
  // Inbound: peer -> us on our SPI with the inbound keys; outbound the other way.
  EXPECT_EQ(b.esp[0].rfind("\"IPv4\",\"203.0.113.21\",\"198.51.100.10\",\"0xcc670c89\",", 0), 0u) << b.esp[0];
  EXPECT_NE(b.esp[0].find("0x" + ike::to_hex(seq(16, 1))), std::string::npos);
  EXPECT_EQ(b.esp[1].rfind("\"IPv4\",\"198.51.100.10\",\"203.0.113.21\",\"0xc4876480\",", 0), 0u) << b.esp[1];
  EXPECT_NE(b.esp[1].find("0x" + ike::to_hex(seq(20, 4))), std::string::npos);
}

// --- files

class KeyLogFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("xgw-keylog-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    base_ = (dir_ / "keys").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static unsigned mode_of(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }
  static std::string read(const std::string& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  std::filesystem::path dir_;
  std::string base_;
};

TEST_F(KeyLogFiles, CreatesBothFilesPrivateEvenWithAPermissiveUmask) {
  mode_t old = ::umask(0);
  { KeyLog log(base_); }
  ::umask(old);
  EXPECT_EQ(mode_of(base_ + ".ikev1_decryption_table"), 0600u);
  EXPECT_EQ(mode_of(base_ + ".esp_sa"), 0600u);
}

TEST_F(KeyLogFiles, LinesAreInTheFilesAtOnceAndAppendAcrossRuns) {
  ike::KeysEstablished p1;
  p1.cky_i = ike::from_hex("acbcf9347ad1ba6c");
  p1.enc_key = ike::from_hex("010d77af1e9e51fcc4d5b2151596bbc0");
  {
    KeyLog log(base_);
    EXPECT_FALSE(log.write(p1).has_value());
    // Still open: a reader (tail -f) already sees the line.
    EXPECT_EQ(read(base_ + ".ikev1_decryption_table"), "acbcf9347ad1ba6c,010d77af1e9e51fcc4d5b2151596bbc0\n");
    EXPECT_FALSE(log.write(esp_pair()).has_value());
    KeyLines l = key_lines(esp_pair());
    EXPECT_EQ(read(base_ + ".esp_sa"), l.esp[0] + "\n" + l.esp[1] + "\n");
  }
  KeyLog again(base_);  // a restarted gwd appends
  EXPECT_FALSE(again.write(p1).has_value());
  std::string ike = read(base_ + ".ikev1_decryption_table");
  EXPECT_EQ(ike.size(), 2 * std::string("acbcf9347ad1ba6c,010d77af1e9e51fcc4d5b2151596bbc0\n").size());
}

TEST_F(KeyLogFiles, RefusesAnExistingFileOthersCanRead) {
  for (unsigned mode : {0644u, 0640u, 0604u, 0660u}) {
    SCOPED_TRACE(mode);
    std::string esp = base_ + ".esp_sa";
    { std::ofstream(esp) << "old\n"; }
    ASSERT_EQ(::chmod(esp.c_str(), mode), 0);
    try {
      KeyLog log(base_);
      ADD_FAILURE() << "opened a file with mode " << mode;
    } catch (const std::runtime_error& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find(esp), std::string::npos) << msg;  // names the file
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;  // one line
    }
    EXPECT_EQ(read(esp), "old\n");  // left alone
    std::filesystem::remove(esp);
  }
}

TEST_F(KeyLogFiles, AcceptsAnExistingPrivateFileAndRefusesASymlink) {
  std::string ike = base_ + ".ikev1_decryption_table";
  { std::ofstream(ike) << "old\n"; }
  ASSERT_EQ(::chmod(ike.c_str(), 0600), 0);
  { KeyLog log(base_); }
  EXPECT_EQ(read(ike), "old\n");
  std::filesystem::remove(ike);
  std::filesystem::create_symlink(dir_ / "elsewhere", ike);
  EXPECT_THROW(KeyLog log(base_), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "elsewhere"));
}

}  // namespace
}  // namespace xgw::gwd
