#pragma once
// gwd's configuration model: what docs/config.md describes and config_load.cpp reads from TOML.
//
// The model holds what the protocol allows; AWS's narrower ranges (lifetimes from 900 s, PSK
// character rules, reserved inside CIDRs) are `gwctl doctor` findings, not load errors.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace xgw::config {

// An IPv4 prefix; addr in host byte order.
struct Cidr {
  std::uint32_t addr = 0;
  std::uint8_t len = 0;
  std::string str() const;
  bool operator==(const Cidr&) const = default;
};

std::string ipv4_str(std::uint32_t addr);
// Parses dotted-quad IPv4; nullopt when malformed.
std::optional<std::uint32_t> parse_ipv4(const std::string& s);
// Parses "a.b.c.d/len" (or a bare address as /32); nullopt when malformed or host bits set.
std::optional<Cidr> parse_cidr(const std::string& s);

// Algorithm lists in the order we offer them. Names follow AWS's tunnel options, lowercased:
// encryption aes128 | aes256 (ESP also aes128-gcm-16 | aes256-gcm-16), integrity sha1 |
// sha2-256 | sha2-384 | sha2-512, DH groups by number.
struct Algorithms {
  std::vector<std::string> ike_encryption{"aes128"};
  std::vector<std::string> ike_integrity{"sha1"};
  std::vector<int> ike_dh_groups{2};
  std::vector<std::string> esp_encryption{"aes128"};
  std::vector<std::string> esp_integrity{"sha1"};
  std::vector<int> esp_pfs_groups{2};
  bool allow_rfc5114_groups = false;  // groups 22-24 (RFC 5114) are refused without it
  bool operator==(const Algorithms&) const = default;
};

struct Tunnel {
  std::string name;              // "CONNECTION/1" or "CONNECTION/2"
  std::uint32_t peer_address = 0;  // the AWS endpoint's outside address
  std::string psk;               // resolved: inline `psk` or the contents of `psk_file`
  std::string psk_file;          // where it came from, if a file
  Cidr inside_cidr;              // the /30: AWS side .1, ours .2
  Algorithms algorithms;
  std::uint32_t ike_lifetime = 28800;
  std::uint32_t esp_lifetime = 3600;
  std::uint32_t rekey_margin = 270;
  std::uint32_t rekey_fuzz = 100;  // percent
  std::uint32_t dpd_interval = 10;
  std::uint32_t dpd_retries = 3;
  std::uint32_t replay_window = 1024;
  // Data-plane liveness probe to the VGW's inside address through the tunnel: a silent
  // death is noticed after probe_misses * probe_interval_ms.
  std::uint32_t probe_interval_ms = 250;
  std::uint32_t probe_misses = 4;
  std::optional<std::uint32_t> mtu;  // override of AWS's table
  std::optional<std::uint32_t> mss;
  std::uint32_t local_inside() const { return inside_cidr.addr + 2; }
  bool operator==(const Tunnel&) const = default;
  std::uint32_t peer_inside() const { return inside_cidr.addr + 1; }
};

struct Bgp {
  std::uint32_t local_asn = 65000;
  std::uint32_t peer_asn = 64512;
  std::uint32_t hold_time = 30;
  std::vector<Cidr> advertise;  // LAN networks announced to AWS on both tunnels
  bool operator==(const Bgp&) const = default;
};

enum class Routing { kStatic, kBgp };

struct Connection {
  std::string name;
  Routing routing = Routing::kStatic;
  // Phase 2 traffic selectors: the one SA pair AWS expects (0.0.0.0/0 both by default).
  Cidr local_selector{0, 0};
  Cidr remote_selector{0, 0};
  // The VPC networks the LAN steering sends into this connection.
  std::vector<Cidr> remote_networks;
  bool failback = false;  // after a failover, return to the preferred tunnel when it is healthy
  bool on_demand = false;
  std::uint32_t idle_timeout = 0;  // on-demand only: seconds without traffic before teardown; 0 = never
  std::optional<Bgp> bgp;
  std::vector<Tunnel> tunnels;  // exactly two
  bool operator==(const Connection&) const = default;
};

enum class XdpMode { kAuto, kNative, kGeneric, kOff };

struct Gateway {
  std::string wan_interface;
  std::string lan_interface;
  std::uint32_t local_address = 0;
  std::optional<std::uint32_t> public_address;  // when behind NAT: our IKE identity
  XdpMode xdp_mode = XdpMode::kAuto;
  std::string state_dir = "/var/lib/xgw";
  std::string control_socket = "/run/xgw/gwd.sock";
  std::string control_group;  // "" = root only (0600); a group name: 0660 for that group
  std::string metrics_listen = "127.0.0.1:9720";
  // BGP connections: BIRD's control socket, and the fragment gwd writes for bird.conf to
  // include (docs/bgp.md).
  std::string bird_socket = "/run/bird/bird.ctl";
  std::string bird_config = "/etc/bird/xgw.conf";
  std::uint32_t identity() const { return public_address.value_or(local_address); }
  bool operator==(const Gateway&) const = default;
};

struct Config {
  Gateway gateway;
  std::vector<Connection> connections;
  bool operator==(const Config&) const = default;
};

// A configuration error: one line naming the file, the field, the value and what was expected.
// Error messages quote the offending input, which may hold anything: control characters are
// escaped (a newline becomes \n) and an overlong message is cut, so it stays one short line.
std::string one_line(const std::string& message, std::size_t max = 400);

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& message) : std::runtime_error(one_line(message)) {}
};

// Reads and checks a config file. Refuses a file (or PSK file) that others can read.
// Throws ConfigError.
Config load_file(const std::string& path);
// Parses TOML text; `origin` names it in errors. PSK files are resolved relative to base_dir.
Config load_string(const std::string& text, const std::string& origin, const std::string& base_dir = ".");

// Names used in the TOML file and in messages.
const char* to_string(Routing r);
const char* to_string(XdpMode m);

}  // namespace xgw::config
