#include "cli/import/to_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "controller/config/config_write.h"

namespace xgw::import {
namespace {

std::string ip(std::uint32_t a) { return config::ipv4_str(a); }

std::vector<std::string> tunnel_notes(const AwsTunnel& t) {
  std::vector<std::string> n;
  n.push_back("AWS tunnel " + std::to_string(t.number) + ": endpoint " + ip(t.tunnel.peer_address) + ", inside " +
              ip(t.tunnel.local_inside()) + " (us) / " + ip(t.tunnel.peer_inside()) + " (AWS)");
  std::string extra;
  if (t.dpd_timeout) extra += "DPD timeout " + std::to_string(*t.dpd_timeout) + " s";
  if (!t.dpd_action.empty()) extra += (extra.empty() ? "" : ", ") + std::string("DPD action ") + t.dpd_action;
  if (!t.startup_action.empty()) extra += (extra.empty() ? "" : ", ") + std::string("startup ") + t.startup_action;
  if (!t.status.empty()) extra += (extra.empty() ? "" : ", ") + std::string("AWS status ") + t.status +
                                  (t.status_message.empty() ? "" : " (" + t.status_message + ")");
  if (!extra.empty()) n.push_back(extra);
  return n;
}

void write_private(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw ImportError(tmp + ": cannot create it: " + std::strerror(errno));
  // fchmod: an existing file keeps its old mode through O_TRUNC.
  bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) &&
            ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw ImportError(path + ": cannot write it: " + std::strerror(ok ? errno : err));
  }
}

}  // namespace

ImportResult to_config(const AwsConnection& c, const ImportOptions& o) {
  ImportResult r;
  config::Gateway& g = r.config.gateway;
  std::uint32_t registered = c.tunnels.empty() ? 0 : c.tunnels[0].cgw_outside;
  g.wan_interface = o.wan_interface.empty() ? "eth0" : o.wan_interface;
  if (o.wan_interface.empty()) r.notes.push_back("wan_interface defaulted to eth0: pass --interface");
  g.lan_interface = o.lan_interface;
  if (!o.local_address && !registered)
    throw ImportError(c.origin + ": customer gateway outside address: not in the input; pass --local-address");
  g.local_address = o.local_address.value_or(registered);
  if (o.public_address) {
    if (registered && *o.public_address != registered)
      throw ImportError("--public-address " + ip(*o.public_address) + ": AWS knows this customer gateway as " +
                        ip(registered) + "; the IKE identity must be that address");
    if (*o.public_address != g.local_address) g.public_address = o.public_address;
  } else if (registered && g.local_address != registered) {
    // Behind 1:1 NAT the local address differs from the one AWS has: that one is our identity.
    g.public_address = registered;
    r.notes.push_back("local address " + ip(g.local_address) + " differs from AWS's customer gateway address " +
                      ip(registered) + ": public_address set (NAT)");
  }

  config::Connection conn;
  conn.name = !o.name.empty() ? o.name : !c.vpn_id.empty() ? c.vpn_id : "aws";
  conn.routing = c.routing;
  conn.bgp = c.bgp;
  if (!o.advertise.empty()) {
    if (conn.routing != config::Routing::kBgp)
      throw ImportError("--advertise: " + c.origin + " is a static connection; BGP announces networks, static routing does not");
    if (!conn.bgp) conn.bgp = config::Bgp{};
    conn.bgp->advertise = o.advertise;
  } else if (conn.routing == config::Routing::kBgp) {
    r.notes.push_back("BGP without --advertise: AWS learns no route to the LAN until [connection.bgp] advertise is set");
  }
  if (c.local_selector) conn.local_selector = *c.local_selector;
  if (c.remote_selector) conn.remote_selector = *c.remote_selector;
  conn.remote_networks = o.remote_networks;
  if (conn.routing == config::Routing::kStatic && conn.remote_networks.empty())
    r.notes.push_back("static routing without --remote-network: no VPC traffic is routed into the tunnels yet");
  config::WriteOptions wo;
  for (std::size_t i = 0; i < c.tunnels.size(); ++i) {
    config::Tunnel t = c.tunnels[i].tunnel;
    t.name = conn.name + "/" + std::to_string(i + 1);
    if (o.psk_files) {
      t.psk_file = conn.name + "-" + std::to_string(i + 1) + ".psk";
      r.psk_files.emplace_back(t.psk_file, t.psk);
    }
    wo.tunnel_notes.emplace_back(t.name, tunnel_notes(c.tunnels[i]));
    conn.tunnels.push_back(t);
  }
  r.config.connections.push_back(conn);

  wo.header.push_back("Imported by gwctl import aws from " + c.origin + ".");
  std::string ids = c.vpn_id;
  if (!c.cgw_id.empty()) ids += ", " + c.cgw_id;
  if (!c.vgw_id.empty()) ids += ", " + c.vgw_id;
  if (!ids.empty()) wo.header.push_back("AWS: " + ids + ".");
  if (!c.has_tunnel_options)
    wo.header.push_back("Algorithms are the XML's minimum proposal; import the describe-vpn-connections JSON too for AWS's lists.");
  for (const auto& n : r.notes) wo.header.push_back("Note: " + n + ".");
  r.toml = config::write_toml(r.config, wo);
  return r;
}

void write_files(const std::string& dir, const ImportResult& r) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw ImportError(dir + ": cannot create it: " + std::strerror(errno));
  for (const auto& [name, key] : r.psk_files) write_private(dir + "/" + name, key + "\n");
  write_private(dir + "/gwd.toml", r.toml);
}

}  // namespace xgw::import
