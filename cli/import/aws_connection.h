#pragma once
// What an AWS download says about one VPN connection, before it becomes gwd's config: the
// tunnels in gwd's model plus the AWS-only facts (outside addresses, DPD action, startup
// action, telemetry) that the merge, the validation and the report need.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "controller/config/config.h"

namespace xgw::import {

// One short line naming the file, the tunnel, the field and the rule. Nothing is written when
// an import throws.
class ImportError : public std::runtime_error {
 public:
  explicit ImportError(const std::string& message) : std::runtime_error(config::one_line(message)) {}
};

struct AwsTunnel {
  int number = 0;                   // 1 or 2: position in the source (messages only, never matching)
  config::Tunnel tunnel;            // peer_address = AWS outside IP; name set when building the config
  std::uint32_t cgw_outside = 0;    // the customer gateway address AWS has registered (0: not given)
  // From DescribeVpnConnections TunnelOptions only.
  std::optional<std::uint32_t> dpd_timeout;
  std::string dpd_action;           // clear | none | restart
  std::string startup_action;       // add | start
  std::vector<std::string> ike_versions;
  // From VgwTelemetry only.
  std::string status;               // UP | DOWN
  std::string status_message;
  // Where the tunnel was described, e.g. "vpn-bgp.xml tunnel 2 (203.0.113.87)".
  std::string label() const;
};

struct AwsConnection {
  std::string origin;  // file name(s) for messages
  std::string vpn_id, cgw_id, vgw_id;
  config::Routing routing = config::Routing::kStatic;
  std::optional<config::Bgp> bgp;
  // Options.LocalIpv4NetworkCidr / RemoteIpv4NetworkCidr: the phase 2 selectors AWS accepts.
  std::optional<config::Cidr> local_selector, remote_selector;
  bool has_tunnel_options = false;  // TunnelOptions merged (algorithm lists are AWS's real ones)
  std::vector<AwsTunnel> tunnels;
};

// Parsers: one per format. Each throws ImportError.
AwsConnection parse_xml(const std::string& text, const std::string& origin);
AwsConnection parse_json(const std::string& text, const std::string& origin);
AwsConnection parse_generic(const std::string& text, const std::string& origin);

enum class Format { kXml, kJson, kGeneric };
// Decides by the first non-blank character: '<' XML, '{' JSON, anything else the generic text.
Format detect_format(const std::string& text);
AwsConnection parse_any(const std::string& text, const std::string& origin);

// Combines two descriptions of the same connection (XML and JSON): tunnels matched by AWS outside
// address; a PSK, inside CIDR or customer gateway address that differs is an error. Options
// (TunnelOptions, telemetry) come from whichever side has them.
AwsConnection merge(const AwsConnection& a, const AwsConnection& b);

// Applies AWS's rules (cli/aws/rules.h) to every tunnel; throws on the first failing rule.
void validate(const AwsConnection& c);

// Reads and merges files; validates the result. Throws ImportError.
AwsConnection import_files(const std::vector<std::string>& paths);

}  // namespace xgw::import
