// xfrm_tool: drives XfrmNetlink from the command line for the VM scenarios, so the scenario's
// gateway side is keyed by our code while the peer is keyed independently with `ip xfrm`.
//   xfrm_tool sa add --src A --dst B --spi 0x.. --reqid N (--enc ALG:HEX --auth ALG:HEX[:BITS] |
//                    --aead ALG:HEX[:BITS]) [--encap SPORT:DPORT] [--replay N] [--if-id N]
//                    [--mark V[/M]]
//   xfrm_tool sa del --dst B --spi 0x..        xfrm_tool sa show --dst B --spi 0x..
//   xfrm_tool spi --src A --dst B --reqid N [--min X --max Y]
//   xfrm_tool policy add|del --dir in|out|fwd [--src NET/LEN --dst NET/LEN]
//                    [--tmpl-src A --tmpl-dst B --reqid N] [--if-id N] [--priority P]
//   xfrm_tool link add --name N --if-id ID [--dev UNDERLAY] [--mtu M] [--addr A/LEN]...
//   xfrm_tool link del --name N
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "xfrm_netlink.h"

using namespace xgw::kernel;

namespace {

std::vector<uint8_t> Hex(const std::string& h) {
  std::string s = h.rfind("0x", 0) == 0 ? h.substr(2) : h;
  if (s.size() % 2) throw std::invalid_argument("odd hex key length");
  std::vector<uint8_t> out;
  for (size_t i = 0; i < s.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
  return out;
}

// "name:hexkey[:bits]" (the name may contain ':'-free parentheses only).
std::tuple<std::string, std::vector<uint8_t>, uint32_t> Alg(const std::string& spec) {
  auto a = spec.find(':');
  if (a == std::string::npos) throw std::invalid_argument("algorithm spec is NAME:HEXKEY[:BITS]: " + spec);
  auto b = spec.find(':', a + 1);
  std::string key = spec.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  uint32_t bits = b == std::string::npos ? 0 : static_cast<uint32_t>(std::stoul(spec.substr(b + 1)));
  return {spec.substr(0, a), Hex(key), bits};
}

Prefix4 Net(const std::string& s) {
  auto slash = s.find('/');
  if (slash == std::string::npos) return {Addr4::Parse(s), 32};
  return {Addr4::Parse(s.substr(0, slash)), static_cast<uint8_t>(std::stoul(s.substr(slash + 1)))};
}

PolicyDir Dir(const std::string& d) {
  if (d == "in") return PolicyDir::kIn;
  if (d == "out") return PolicyDir::kOut;
  if (d == "fwd") return PolicyDir::kFwd;
  throw std::invalid_argument("direction is in, out or fwd");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"xfrm_tool: XfrmNetlink test driver"};
  app.require_subcommand(1);
  std::string src, dst, enc, auth, aead, encap, mark, dir, sel_src = "0.0.0.0/0", sel_dst = "0.0.0.0/0", name, dev;
  std::string spi_s = "0", min_s = "0x100", max_s = "0xffffffff";
  uint32_t reqid = 0, replay = 1024, if_id = 0, priority = 0, mtu = 0;
  std::vector<std::string> addrs;

  auto* sa = app.add_subcommand("sa", "SAs")->require_subcommand(1);
  auto* sa_add = sa->add_subcommand("add");
  auto* sa_del = sa->add_subcommand("del");
  auto* sa_show = sa->add_subcommand("show");
  for (auto* c : {sa_add, sa_del, sa_show}) {
    c->add_option("--dst", dst)->required();
    c->add_option("--spi", spi_s)->required();
  }
  sa_add->add_option("--src", src)->required();
  sa_add->add_option("--reqid", reqid);
  sa_add->add_option("--enc", enc);
  sa_add->add_option("--auth", auth);
  sa_add->add_option("--aead", aead);
  sa_add->add_option("--encap", encap);
  sa_add->add_option("--replay", replay);
  sa_add->add_option("--if-id", if_id);
  sa_add->add_option("--mark", mark);
  auto* spi = app.add_subcommand("spi", "allocate an SPI");
  spi->add_option("--src", src)->required();
  spi->add_option("--dst", dst)->required();
  spi->add_option("--reqid", reqid);
  spi->add_option("--min", min_s);
  spi->add_option("--max", max_s);
  auto* pol = app.add_subcommand("policy", "policies")->require_subcommand(1);
  auto* pol_add = pol->add_subcommand("add");
  auto* pol_del = pol->add_subcommand("del");
  std::string tmpl_src, tmpl_dst;
  for (auto* c : {pol_add, pol_del}) {
    c->add_option("--dir", dir)->required();
    c->add_option("--src", sel_src);
    c->add_option("--dst", sel_dst);
    c->add_option("--if-id", if_id);
  }
  pol_add->add_option("--tmpl-src", tmpl_src)->required();
  pol_add->add_option("--tmpl-dst", tmpl_dst)->required();
  pol_add->add_option("--reqid", reqid);
  pol_add->add_option("--priority", priority);
  auto* link = app.add_subcommand("link", "XFRM interfaces")->require_subcommand(1);
  auto* link_add = link->add_subcommand("add");
  auto* link_del = link->add_subcommand("del");
  link_add->add_option("--name", name)->required();
  link_add->add_option("--if-id", if_id)->required();
  link_add->add_option("--dev", dev);
  link_add->add_option("--mtu", mtu);
  link_add->add_option("--addr", addrs);
  link_del->add_option("--name", name)->required();
  CLI11_PARSE(app, argc, argv);

  try {
    XfrmNetlink k;
    uint32_t spi_v = static_cast<uint32_t>(std::stoul(spi_s, nullptr, 0));
    if (*sa_add) {
      SaParams p;
      p.src = Addr4::Parse(src);
      p.dst = Addr4::Parse(dst);
      p.spi = spi_v;
      p.reqid = reqid;
      p.replay_window = replay;
      p.if_id = if_id;
      if (!aead.empty()) {
        auto [n, key, bits] = Alg(aead);
        p.aead = AeadAlg{n, key, bits ? bits : 128};
      }
      if (!enc.empty()) {
        auto [n, key, bits] = Alg(enc);
        p.crypt = CryptAlg{n, key};
      }
      if (!auth.empty()) {
        auto [n, key, bits] = Alg(auth);
        p.auth = AuthAlg{n, key, bits};
      }
      if (!encap.empty()) {
        auto c = encap.find(':');
        p.encap = NatTEncap{static_cast<uint16_t>(std::stoul(encap.substr(0, c))),
                            static_cast<uint16_t>(std::stoul(encap.substr(c + 1)))};
      }
      if (!mark.empty()) {
        auto s = mark.find('/');
        p.output_mark = Mark{static_cast<uint32_t>(std::stoul(mark.substr(0, s), nullptr, 0)),
                             s == std::string::npos ? 0xffffffffu : static_cast<uint32_t>(std::stoul(mark.substr(s + 1), nullptr, 0))};
      }
      k.AddSa(p);
    } else if (*sa_del) {
      k.DeleteSa(Addr4::Parse(dst), spi_v);
    } else if (*sa_show) {
      SaCounters c = k.QuerySa(Addr4::Parse(dst), spi_v);
      std::printf("packets %llu bytes %llu replay_window %u replay_dropped %u integrity_failed %u\n",
                  static_cast<unsigned long long>(c.packets), static_cast<unsigned long long>(c.bytes), c.replay_window,
                  c.replay_dropped, c.integrity_failed);
    } else if (*spi) {
      std::printf("0x%08x\n", k.AllocateSpi(Addr4::Parse(src), Addr4::Parse(dst), reqid,
                                            static_cast<uint32_t>(std::stoul(min_s, nullptr, 0)),
                                            static_cast<uint32_t>(std::stoul(max_s, nullptr, 0))));
    } else if (*pol_add) {
      PolicyParams p;
      p.selector = {Net(sel_src), Net(sel_dst), 0};
      p.dir = Dir(dir);
      p.tmpl_src = Addr4::Parse(tmpl_src);
      p.tmpl_dst = Addr4::Parse(tmpl_dst);
      p.reqid = reqid;
      p.priority = priority;
      p.if_id = if_id;
      k.AddPolicy(p);
    } else if (*pol_del) {
      k.DeletePolicy({Net(sel_src), Net(sel_dst), 0}, Dir(dir), if_id);
    } else if (*link_add) {
      XfrmInterfaceParams p{name, if_id, dev, mtu, {}, true};
      for (const auto& a : addrs) p.addresses.push_back(Net(a));
      k.CreateXfrmInterface(p);
    } else if (*link_del) {
      k.DeleteXfrmInterface(name);
    }
  } catch (const std::exception& e) {
    std::cerr << "xfrm_tool: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
