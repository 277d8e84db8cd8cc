// Kernel IPsec programming (XFRM): the interface the controller uses, with plain parameter
// structs. XfrmNetlink implements it over netlink (libmnl); FakeKernelIpsec records the calls
// for unit tests of the layers above. Failures throw KernelError naming the operation and the
// kernel's reason (errno text plus the extended-ack message when the kernel sends one).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace xgw::kernel {

// IPv4 address in network byte order.
struct Addr4 {
  uint32_t be = 0;
  static Addr4 Parse(const std::string& dotted);  // throws std::invalid_argument
  std::string ToString() const;
  friend bool operator==(Addr4, Addr4) = default;
  friend auto operator<=>(Addr4, Addr4) = default;
};

struct Prefix4 {
  Addr4 addr;
  uint8_t len = 0;  // 0.0.0.0/0 by default
  friend bool operator==(const Prefix4&, const Prefix4&) = default;
};

// Traffic selector (tunnel mode with route-based XFRM interfaces normally uses 0/0 <-> 0/0).
struct Selector {
  Prefix4 src, dst;
  uint8_t proto = 0;  // 0 = any
  friend bool operator==(const Selector&, const Selector&) = default;
};

// Encryption (e.g. "cbc(aes)") with the key.
struct CryptAlg {
  std::string name;
  std::vector<uint8_t> key;
};

// Integrity with the ICV length (RFC 4868: hmac(sha256) 128, hmac(sha384) 192,
// hmac(sha512) 256; hmac(sha1) 96). Sent as XFRMA_ALG_AUTH_TRUNC.
struct AuthAlg {
  std::string name;
  std::vector<uint8_t> key;
  uint32_t icv_bits = 0;  // 0 = the RFC 4868 / RFC 2404 length for `name`
};

// AEAD, e.g. "rfc4106(gcm(aes))": key = AES key followed by the 4-byte salt.
struct AeadAlg {
  std::string name = "rfc4106(gcm(aes))";
  std::vector<uint8_t> key;
  uint32_t icv_bits = 128;
};

struct NatTEncap {
  uint16_t sport = 4500;
  uint16_t dport = 4500;
};

// 0 = unlimited.
struct Lifetime {
  uint64_t soft_bytes = 0, hard_bytes = 0;
  uint64_t soft_packets = 0, hard_packets = 0;
  uint64_t soft_add_seconds = 0, hard_add_seconds = 0;
};

struct Mark {
  uint32_t value = 0;
  uint32_t mask = 0xffffffff;
};

// One ESP SA in tunnel mode.
struct SaParams {
  Addr4 src, dst;  // outer addresses
  uint32_t spi = 0;
  uint32_t reqid = 0;
  Selector selector;
  std::optional<CryptAlg> crypt;
  std::optional<AuthAlg> auth;
  std::optional<AeadAlg> aead;  // instead of crypt + auth
  std::optional<NatTEncap> encap;
  uint32_t replay_window = 1024;  // packets; above 32 sent as XFRMA_REPLAY_ESN_VAL
  bool esn = false;
  Lifetime lifetime;
  uint32_t if_id = 0;  // XFRM interface binding; 0 = none
  std::optional<Mark> output_mark;
};

enum class PolicyDir : uint8_t { kIn = 0, kOut = 1, kFwd = 2 };

struct PolicyParams {
  Selector selector;
  PolicyDir dir = PolicyDir::kOut;
  Addr4 tmpl_src, tmpl_dst;  // tunnel endpoints of the ESP template
  uint32_t reqid = 0;
  uint32_t priority = 0;
  uint32_t if_id = 0;
  bool block = false;        // action block instead of allow (with no template)
};

struct XfrmInterfaceParams {
  std::string name;          // e.g. "xgw-t1"
  uint32_t if_id = 0;
  std::string underlay;      // IFLA_XFRM_LINK device name; empty = none
  uint32_t mtu = 0;          // 0 = kernel default
  std::vector<Prefix4> addresses;  // inside addresses, e.g. 169.254.10.2/30
  bool up = true;
};

struct SaCounters {
  uint64_t bytes = 0, packets = 0;
  uint64_t add_time = 0, use_time = 0;
  uint32_t replay_window = 0;     // effective window (ESN state when present)
  uint32_t replay_dropped = 0, integrity_failed = 0;
};

struct KernelEvent {
  enum class Type { kAcquire, kSoftExpire, kHardExpire };
  Type type = Type::kAcquire;
  Addr4 src, dst;
  uint32_t spi = 0;        // expire
  uint32_t reqid = 0;
  uint32_t if_id = 0;
  Selector selector;
  uint32_t policy_index = 0;  // acquire
};

class KernelError : public std::runtime_error {
 public:
  KernelError(std::string op, int err, std::string kernel_msg);
  const std::string& op() const { return op_; }
  int error() const { return err_; }
  const std::string& kernel_message() const { return msg_; }

 private:
  std::string op_;
  int err_;
  std::string msg_;
};

class KernelIpsec {
 public:
  virtual ~KernelIpsec() = default;

  // Reserves an SPI in [min, max] for an SA from src to dst (a larval state).
  virtual uint32_t AllocateSpi(Addr4 src, Addr4 dst, uint32_t reqid, uint32_t min = 0x100,
                               uint32_t max = 0xffffffff) = 0;
  virtual void AddSa(const SaParams& sa) = 0;
  virtual void UpdateSa(const SaParams& sa) = 0;  // e.g. the larval state of AllocateSpi
  virtual void DeleteSa(Addr4 dst, uint32_t spi) = 0;
  virtual SaCounters QuerySa(Addr4 dst, uint32_t spi) = 0;

  virtual void AddPolicy(const PolicyParams& p) = 0;     // creates or replaces
  virtual void DeletePolicy(const Selector& sel, PolicyDir dir, uint32_t if_id) = 0;

  virtual void CreateXfrmInterface(const XfrmInterfaceParams& p) = 0;
  virtual void DeleteXfrmInterface(const std::string& name) = 0;

  // Per-socket bypass policies (both directions) so IKE on this socket is never encrypted.
  virtual void BypassSocket(int fd, int family) = 0;

  // Acquire and expire events: Subscribe (again to add acquires); when event_fd() is readable, call
  // DispatchEvents(), which invokes the handler for each event read. Without acquires, the
  // kernel keeps no larval state for packets that meet a policy without an SA (it only makes
  // one while a key manager listens for acquires).
  enum class Events { kExpireOnly, kAcquireAndExpire };
  virtual void SubscribeEvents(std::function<void(const KernelEvent&)> handler,
                               Events which = Events::kAcquireAndExpire) = 0;
  virtual int event_fd() const = 0;
  virtual void DispatchEvents() = 0;
};

// The ICV length RFC 4868 (and RFC 2404 for SHA-1) assign to an HMAC, in bits; 0 if unknown.
uint32_t DefaultIcvBits(const std::string& auth_name);

}  // namespace xgw::kernel
