// dp_tool: the datapath from the command line, for VM scenarios and debugging.
//   dp_tool attach [--pin-dir D] [--wan IF] [--lan IF] [--tun IF:TUNNEL]... [--netns PATH] [--generic]
//   dp_tool detach [--pin-dir D] [--wan IF] [--lan IF] [--tun IF]... [--netns PATH] [--unpin]
//   dp_tool peer ADDR TUNNEL [--allow udp500,udp4500,esp]
//   dp_tool spi PEER SPI TUNNEL [--encap esp|udp|both]
//   dp_tool route NET/LEN CONNECTION
//   dp_tool tunnel TUNNEL --mark M [--mss S] [--clear-df]
//   dp_tool active CONNECTION [TUNNEL]     (no TUNNEL: print the active tunnel)
//   dp_tool counters TUNNEL                (key=value per counter, summed over CPUs)
//   dp_tool global                         (class/drop/event counters)
// Map commands open the pinned maps only; attach loads (or re-opens) the programs.
#include <CLI/CLI.hpp>
#include <net/if.h>

#include <cstdio>
#include <iostream>

#include "counter_names.h"
#include "loader.h"

using namespace xgw::datapath;

int main(int argc, char** argv) {
  CLI::App app{"dp_tool: xgw datapath control"};
  app.require_subcommand(1);
  std::string pin_dir = "/sys/fs/bpf/xgw", netns, wan, lan, allow = "udp500,udp4500,esp", encap = "both", addr, net;
  std::vector<std::string> tuns;
  bool generic = false, unpin = false, clear_df = false;
  uint32_t tunnel = 0, conn = 0, mark = 0, mss = 0;
  std::string spi_s;
  std::optional<uint32_t> new_active;
  app.add_option("--pin-dir", pin_dir);

  auto* attach = app.add_subcommand("attach");
  auto* detach = app.add_subcommand("detach");
  for (auto* c : {attach, detach}) {
    c->add_option("--netns", netns);
    c->add_option("--wan", wan);
    c->add_option("--lan", lan);
    c->add_option("--tun", tuns);
  }
  attach->add_flag("--generic", generic);
  detach->add_flag("--unpin", unpin);
  auto* peer = app.add_subcommand("peer");
  peer->add_option("addr", addr)->required();
  peer->add_option("tunnel", tunnel)->required();
  peer->add_option("--allow", allow);
  auto* spi = app.add_subcommand("spi");
  spi->add_option("peer", addr)->required();
  spi->add_option("spi", spi_s)->required();
  spi->add_option("tunnel", tunnel)->required();
  spi->add_option("--encap", encap);
  auto* route = app.add_subcommand("route");
  route->add_option("net", net)->required();
  route->add_option("connection", conn)->required();
  auto* tun = app.add_subcommand("tunnel");
  tun->add_option("tunnel", tunnel)->required();
  tun->add_option("--mark", mark)->required();
  tun->add_option("--mss", mss);
  tun->add_flag("--clear-df", clear_df);
  auto* active = app.add_subcommand("active");
  active->add_option("connection", conn)->required();
  active->add_option("tunnel", new_active);
  auto* counters = app.add_subcommand("counters");
  counters->add_option("tunnel", tunnel)->required();
  auto* global = app.add_subcommand("global");
  CLI11_PARSE(app, argc, argv);

  try {
    if (*attach || *detach) {
      auto dp = Datapath::Load({.pin_dir = pin_dir});
      if (*attach) {
        if (dp->origin() != Datapath::Origin::kReopened) dp->maps().SetConfig({});
        if (!wan.empty())
          std::printf("wan %s: %s XDP\n", wan.c_str(),
                      dp->AttachWan({wan, netns}, generic ? XdpMode::kGeneric : XdpMode::kNativeOrGeneric) == XdpMode::kGeneric
                          ? "generic" : "native");
        if (!lan.empty()) dp->AttachLan({lan, netns});
        for (const auto& t : tuns) {
          auto colon = t.find(':');
          std::string name = t.substr(0, colon);
          dp->AttachTunnelInterface({name, netns});
          if (colon != std::string::npos) {
            ScopedNetns ns(netns);
            dp->maps().SetTunnelInterface(if_nametoindex(name.c_str()), static_cast<uint32_t>(std::stoul(t.substr(colon + 1))));
          }
        }
      } else {
        if (!wan.empty()) dp->DetachWan({wan, netns});
        if (!lan.empty()) dp->DetachTc({lan, netns}, true);
        for (const auto& t : tuns) dp->DetachTc({t.substr(0, t.find(':')), netns}, true);
        if (unpin) dp->Unpin();
      }
      return 0;
    }
    auto maps = OpenPinnedMaps(pin_dir);
    if (*peer) {
      PeerAllow a{allow.find("udp500") != std::string::npos, allow.find("udp4500") != std::string::npos,
                  allow.find("esp") != std::string::npos};
      maps->UpsertPeer(Ipv4::Parse(addr), a, tunnel);
    } else if (*spi) {
      SpiEncap e = encap == "esp" ? SpiEncap::kEsp : encap == "udp" ? SpiEncap::kUdp : SpiEncap::kBoth;
      maps->UpsertSpi(Ipv4::Parse(addr), static_cast<uint32_t>(std::stoul(spi_s, nullptr, 0)), tunnel, e);
    } else if (*route) {
      auto slash = net.find('/');
      maps->AddRemoteNetwork(Ipv4::Parse(net.substr(0, slash)),
                             static_cast<uint8_t>(slash == std::string::npos ? 32 : std::stoul(net.substr(slash + 1))), conn);
    } else if (*tun) {
      maps->SetTunnelParams(tunnel, {mark, static_cast<uint16_t>(mss), clear_df});
    } else if (*active) {
      if (new_active) maps->SetActiveTunnel(conn, *new_active);
      else std::printf("%u\n", maps->ActiveTunnel(conn));
    } else if (*counters) {
      TunnelCounters c = maps->ReadTunnelCounters(tunnel);
      for (int k = 0; k < XGW_TCTR_MAX; ++k) {
        const char* name = tunnel_counter_name(static_cast<xgw_tunnel_counter>(k));
        std::printf("%s_packets=%llu %s_bytes=%llu\n", name, static_cast<unsigned long long>(c.c[k].packets), name,
                    static_cast<unsigned long long>(c.c[k].bytes));
      }
    } else if (*global) {
      GlobalCounters g = maps->ReadGlobalCounters();
      for (int i = 0; i < XGW_CLASS_MAX; ++i)
        std::printf("class_%s=%llu\n", class_name(static_cast<xgw_pkt_class>(i)),
                    static_cast<unsigned long long>(g.by_class[i].packets));
      for (int i = 1; i < XGW_DROP_MAX; ++i)
        std::printf("drop_%s=%llu\n", drop_reason_name(static_cast<xgw_drop_reason>(i)),
                    static_cast<unsigned long long>(g.by_drop_reason[i].packets));
      for (int i = 0; i < XGW_EV_MAX; ++i)
        std::printf("event_%s=%llu\n", event_name(static_cast<xgw_event>(i)), static_cast<unsigned long long>(g.by_event[i].packets));
    }
  } catch (const std::exception& e) {
    std::cerr << "dp_tool: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
