#include "controller/gwd/keylog.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "controller/config/config.h"

namespace xgw::gwd {

std::optional<std::string> esp_encryption_name(std::uint8_t transform) {
  // The key length is not part of the name: Wireshark takes it from the key.
  switch (transform) {
    case ike::kEspAesCbc: return "AES-CBC [RFC3602]";
    case ike::kEspAesGcm8: return "AES-GCM with 8 octet ICV [RFC4106]";
    case ike::kEspAesGcm12: return "AES-GCM with 12 octet ICV [RFC4106]";
    case ike::kEspAesGcm16: return "AES-GCM with 16 octet ICV [RFC4106]";
    default: return std::nullopt;
  }
}

std::optional<std::string> esp_authentication_name(ike::EspAuth integ) {
  // The truncation is in the name and matches the kernel's (RFC 2404 and RFC 4868: half the
  // hash), not the pre-RFC 4868 96-bit SHA-256 that Wireshark also offers.
  switch (integ) {
    case ike::EspAuth::kNone: return "NULL";
    case ike::EspAuth::kHmacSha1: return "HMAC-SHA-1-96 [RFC2404]";
    case ike::EspAuth::kHmacSha256: return "HMAC-SHA-256-128 [RFC4868]";
    case ike::EspAuth::kHmacSha384: return "HMAC-SHA-384-192 [RFC4868]";
    case ike::EspAuth::kHmacSha512: return "HMAC-SHA-512-256 [RFC4868]";
  }
  return std::nullopt;
}

std::string ikev1_decryption_line(ike::ByteView cky_i, ike::ByteView enc_key) {
  return ike::to_hex(cky_i) + "," + ike::to_hex(enc_key);
}

std::optional<std::string> esp_sa_line(const EspSaEntry& e) {
  auto enc = esp_encryption_name(e.transform);
  auto auth = esp_authentication_name(e.integ);
  if (!enc || !auth) return std::nullopt;
  char spi[11];
  std::snprintf(spi, sizeof spi, "0x%08x", e.spi);
  auto q = [](const std::string& s) { return "\"" + s + "\""; };
  // No key (GCM's authentication) is an empty field, which Wireshark reads as no key.
  auto key = [](ike::ByteView k) { return k.empty() ? std::string() : "0x" + ike::to_hex(k); };
  return q("IPv4") + "," + q(config::ipv4_str(e.src)) + "," + q(config::ipv4_str(e.dst)) + "," + q(spi) + "," +
         q(*enc) + "," + q(key(e.enc_key)) + "," + q(*auth) + "," + q(key(e.integ_key));
}

KeyLines key_lines(const ike::KeysEstablished& k) {
  KeyLines out;
  if (!k.esp_spi_in && !k.esp_spi_out) {
    out.ikev1.push_back(ikev1_decryption_line(k.cky_i, k.enc_key));
    return out;
  }
  EspSaEntry in{k.remote_ip, k.local_ip, k.esp_spi_in, k.esp_transform, k.esp_in_enc, k.esp_integ, k.esp_in_integ};
  EspSaEntry out_sa{k.local_ip, k.remote_ip, k.esp_spi_out, k.esp_transform, k.esp_out_enc, k.esp_integ,
                    k.esp_out_integ};
  for (const auto& e : {in, out_sa})
    if (auto line = esp_sa_line(e)) out.esp.push_back(*line);
  return out;
}

namespace {

int open_private(const std::string& path) {
  // O_NOFOLLOW: a symlink planted at the path must not redirect the keys elsewhere.
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw std::runtime_error("keylog: cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  std::string why;
  if (::fstat(fd, &st) != 0) why = std::string("cannot stat it: ") + std::strerror(errno);
  else if (!S_ISREG(st.st_mode)) why = "not a regular file";
  else if (st.st_uid != ::geteuid()) why = "not owned by gwd's user";
  else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    why = std::string("mode ") + mode + " lets group or others read it (chmod 600 it, or remove it)";
  }
  if (!why.empty()) {
    ::close(fd);
    throw std::runtime_error("keylog: refusing " + path + ": " + why);
  }
  return fd;
}

// One write(2) per line, so a reader never sees half a line from us.
bool append_line(int fd, const std::string& line) {
  std::string l = line + "\n";
  ssize_t n;
  do {
    n = ::write(fd, l.data(), l.size());
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(l.size());
}

}  // namespace

KeyLog::KeyLog(const std::string& base) : base_(base) {
  ikev1_fd_ = open_private(ikev1_path(base));
  try {
    esp_fd_ = open_private(esp_path(base));
  } catch (...) {
    ::close(ikev1_fd_);
    throw;
  }
}

KeyLog::~KeyLog() {
  if (ikev1_fd_ >= 0) ::close(ikev1_fd_);
  if (esp_fd_ >= 0) ::close(esp_fd_);
}

std::optional<std::string> KeyLog::write(const ike::KeysEstablished& k) {
  KeyLines lines = key_lines(k);
  std::string err;
  for (const auto& l : lines.ikev1)
    if (!append_line(ikev1_fd_, l)) err = "cannot append to " + ikev1_path(base_) + ": " + std::strerror(errno);
  for (const auto& l : lines.esp)
    if (!append_line(esp_fd_, l)) err = "cannot append to " + esp_path(base_) + ": " + std::strerror(errno);
  bool esp_pair = k.esp_spi_in || k.esp_spi_out;
  if (esp_pair && lines.esp.size() != 2)
    err = "no Wireshark name for ESP transform " + std::to_string(k.esp_transform) + " / integrity " +
          std::to_string(static_cast<int>(k.esp_integ)) + ": ESP SA not logged";
  if (err.empty()) return std::nullopt;
  return "keylog: " + err;
}

}  // namespace xgw::gwd
