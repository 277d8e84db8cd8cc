#pragma once
// Two engines joined in process through an in-memory wire, with a virtual clock, optional NAT
// in front of the initiator, impairments (drop / duplicate) and a model of each side's kernel
// SAD, so tests can check that both ends installed matching ESP SAs.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "ike/codec/message.h"
#include "ike/engine.h"
#include <cstdio>
#include <cstdlib>

namespace xgw::ike::test {

inline constexpr std::uint32_t ip(int a, int b, int c, int d) {
  return static_cast<std::uint32_t>(a) << 24 | static_cast<std::uint32_t>(b) << 16 | static_cast<std::uint32_t>(c) << 8 |
         static_cast<std::uint32_t>(d);
}
inline constexpr std::uint32_t kCgwIp = ip(198, 51, 100, 10);
inline constexpr std::uint32_t kCgwPrivateIp = ip(10, 0, 0, 2);
inline constexpr std::uint32_t kAwsIp = ip(203, 0, 113, 21);

inline Bytes psk(const char* s) { return Bytes(s, s + std::char_traits<char>::length(s)); }

struct Packet {
  bool from_a = true;
  SendDatagram d;
  std::size_t index = 0;  // position in the whole conversation, for impairments
  Millis at = 0;          // when it was sent
};

struct Side {
  Side(std::uint64_t seed, EngineLimits lim) : rng(seed), eng(std::make_unique<Engine>(rng, lim)) {}
  DeterministicRandom rng;
  std::unique_ptr<Engine> eng;
  PeerId peer = 0;
  std::map<TimerId, Millis> timers;
  std::vector<Event> events;
  std::map<std::uint32_t, EspSa> sad_in;   // inbound SAs by SPI
  std::map<std::uint32_t, EspSa> sad_out;  // outbound SAs by SPI
  std::optional<std::uint32_t> out_active;  // SPI carrying outbound traffic
  std::vector<std::uint32_t> out_order;     // installed outbound SPIs, oldest first

  // The kernel sends on the newest installed outbound SA; when it goes, on the newest left.
  void install_out(const EspSa& sa) {
    sad_out[sa.spi] = sa;
    std::erase(out_order, sa.spi);
    out_order.push_back(sa.spi);
    out_active = sa.spi;
  }
  void remove_out(std::uint32_t spi) {
    if (!spi) return;
    sad_out.erase(spi);
    std::erase(out_order, spi);
    if (out_order.empty()) out_active.reset();
    else out_active = out_order.back();
  }
  std::size_t keepalives = 0;
  std::vector<UpdateSaEncap> encap_updates;

  std::size_t count(EventType t) const {
    std::size_t n = 0;
    for (const auto& e : events) n += e.type == t;
    return n;
  }
  const Event* last(EventType t) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->type == t) return &*it;
    return nullptr;
  }
};

inline PeerConfig default_config(bool initiator_side) {
  PeerConfig c;
  c.name = initiator_side ? "cgw" : "aws";
  c.local_ip = initiator_side ? kCgwIp : kAwsIp;
  c.remote_ip = initiator_side ? kAwsIp : kCgwIp;
  c.psk = psk("Qx4.kT9wLm2_vB7nRz5cYh8sDf3gJp1a");
  c.rekey_fuzz_pct = 0;
  return c;
}

class Harness {
 public:
  explicit Harness(PeerConfig ca = default_config(true), PeerConfig cb = default_config(false), bool nat = false,
                   EngineLimits lim = {})
      : a(1, lim), b(2, lim), nat_(nat) {
    if (nat_) {
      ca.local_ip = kCgwPrivateIp;
      ca.local_id = kCgwIp;
    }
    a.peer = a.eng->add_peer(ca);
    b.peer = b.eng->add_peer(cb);
  }

  Side a, b;
  Millis now = 0;
  std::vector<Packet> log;  // every datagram put on the wire
  std::function<bool(const Packet&)> drop;       // impairment: true = lose it
  std::function<bool(const Packet&)> duplicate;  // impairment: true = deliver twice
  std::function<void(bool from_a, const Action&)> observe;  // sees every action before it is executed
  bool blackhole_b = false;
  Millis latency = 0;  // one-way delay of every datagram (0: delivered by the next pump)
  // With a NAT: the public port its UDP 4500 mapping uses for A. Changing it models a NAT that
  // renewed its mapping; datagrams to the old port are then dropped by the NAT.
  std::uint16_t nat_port_4500 = 44500;
  std::uint16_t b_source_port_4500 = kNatTPort;  // B's UDP 4500 source port as A sees it

  void start() {
    a.eng->initiate(a.peer, now);
    pump();
  }

  // Delivers everything on the wire and all resulting actions, without advancing time.
  void pump() {
    collect();
    while (!wire_.empty()) {
      Packet p = wire_.front();
      wire_.pop_front();
      deliver(p);
      collect();
    }
  }

  // Advances the clock, firing due timers in order. Timers due at the same instant fire on
  // both sides before any datagram is delivered, so their messages cross on the wire.
  void advance(Millis ms) {
    Millis end = now + ms;
    for (;;) {
      std::optional<Millis> next;
      for (Side* s : {&a, &b})
        for (auto [id, at] : s->timers)
          if (at <= end && (!next || at < *next)) next = at;
      if (!delayed_.empty() && delayed_.begin()->first <= end && (!next || delayed_.begin()->first < *next))
        next = delayed_.begin()->first;
      if (!next) break;
      now = std::max(now, *next);
      while (!delayed_.empty() && delayed_.begin()->first <= now) {  // arrived
        wire_.push_back(delayed_.begin()->second);
        delayed_.erase(delayed_.begin());
      }
      std::vector<std::pair<Side*, TimerId>> due;
      for (Side* s : {&a, &b})
        for (auto [id, at] : s->timers)
          if (at == *next) due.push_back({s, id});
      for (auto [s, id] : due) {
        if (!s->timers.erase(id)) continue;  // cancelled by an earlier one
        s->eng->on_timer(id, now);
        collect();
      }
      pump();
    }
    now = end;
  }

  bool both_up() const {
    return a.eng->status(a.peer).phase1_up && b.eng->status(b.peer).phase1_up && a.out_active && b.out_active;
  }

  // The real interop check: each side's outbound SA equals the other's inbound SA.
  void expect_matching_sas() const {
    ASSERT_TRUE(a.out_active.has_value());
    ASSERT_TRUE(b.out_active.has_value());
    check_pair(a, b);
    check_pair(b, a);
  }

  // The responder (B) refused A's proposal: A got NO-PROPOSAL-CHOSEN, B reported the mismatch.
  void expect_refused(const char* exchange) const {
    const Event* fa = a.last(EventType::kFailure);
    const Event* fb = b.last(EventType::kFailure);
    ASSERT_NE(fa, nullptr);
    ASSERT_NE(fb, nullptr);
    EXPECT_EQ(to_string(fa->reason), "notify:NO-PROPOSAL-CHOSEN");
    EXPECT_EQ(to_string(fb->reason), std::string("proposal_mismatch:") + exchange);
    if (std::string(exchange) == "QM1") {
      EXPECT_TRUE(a.eng->status(a.peer).phase1_up);
      EXPECT_FALSE(a.out_active.has_value());
    }
  }

  std::size_t sent_by(bool from_a) const {
    std::size_t n = 0;
    for (const auto& p : log) n += p.from_a == from_a;
    return n;
  }

 private:
  static void check_pair(const Side& x, const Side& y) {
    auto o = x.sad_out.find(*x.out_active);
    ASSERT_NE(o, x.sad_out.end());
    auto i = y.sad_in.find(o->second.spi);
    ASSERT_NE(i, y.sad_in.end()) << "peer has no inbound SA for SPI " << std::hex << o->second.spi;
    EXPECT_EQ(o->second.enc_key, i->second.enc_key);
    EXPECT_EQ(o->second.integ_key, i->second.integ_key);
    EXPECT_EQ(o->second.icv_bits, i->second.icv_bits);
    EXPECT_EQ(o->second.mode, i->second.mode);
    EXPECT_EQ(o->second.encap_sport != 0, i->second.encap_sport != 0);
  }

  void collect() {
    for (Side* s : {&a, &b}) {
      for (auto& act : s->eng->take_actions()) {
        if (observe) observe(s == &a, act);
        if (auto* d = std::get_if<SendDatagram>(&act)) {
          if (d->data.size() == 1 && d->data[0] == 0xff) {
            EXPECT_FALSE(d->non_esp_marker);  // NAT-keepalive (RFC 3948 §2.3)
            EXPECT_EQ(d->local.port, kNatTPort);
            ++s->keepalives;
          } else {
            EXPECT_EQ(d->non_esp_marker, d->local.port == kNatTPort);
          }
          Packet p{s == &a, *d, log.size(), now};
          if (getenv("IKE_TRACE")) { auto hh = codec::decode_header(d->data); fprintf(stderr, "%llu %s send ex=%d mid=%08x len=%zu port=%d\n", (unsigned long long)now, s == &a ? "A" : "B", hh ? (int)hh->exchange : -1, hh ? hh->message_id : 0, d->data.size(), d->local.port); }
          log.push_back(p);
          if (drop && drop(p)) continue;
          if (latency) {
            delayed_.emplace(now + latency, p);
            continue;
          }
          wire_.push_back(p);
          if (duplicate && duplicate(p)) wire_.push_back(p);
        } else if (auto* t = std::get_if<ArmTimer>(&act)) {
          s->timers[t->id] = t->at;
        } else if (auto* c = std::get_if<CancelTimer>(&act)) {
          s->timers.erase(c->id);
        } else if (auto* i = std::get_if<InstallSaPair>(&act)) {
          // Like the kernel: an outbound SA exists once installed (outbound_now or a later
          // SwitchOutbound).
          s->sad_in[i->inbound.spi] = i->inbound;
          if (i->outbound_now) s->install_out(i->outbound);
        } else if (auto* w = std::get_if<SwitchOutbound>(&act)) {
          s->install_out(w->outbound);
        } else if (auto* u = std::get_if<UpdateSaEncap>(&act)) {
          for (const auto& sa : u->sas) {
            if (s->sad_in.count(sa.spi)) s->sad_in[sa.spi] = sa;
            if (s->sad_out.count(sa.spi)) s->sad_out[sa.spi] = sa;
          }
          s->encap_updates.push_back(*u);
        } else if (auto* del = std::get_if<DeleteSaPair>(&act)) {
          s->sad_in.erase(del->inbound_spi);
          s->remove_out(del->outbound_spi);
        } else if (auto* e = std::get_if<Event>(&act)) {
          if (getenv("IKE_TRACE")) fprintf(stderr, "%llu %s %s %s %s\n", (unsigned long long)now, s == &a ? "A" : "B", to_string(e->type).c_str(), to_string(e->reason).c_str(), e->detail.c_str());
          s->events.push_back(*e);
        }
      }
    }
  }

  std::uint16_t nat_port(std::uint16_t p) const { return p == kIkePort ? 40500 : nat_port_4500; }

  void deliver(const Packet& p) {
    Endpoint src = p.d.local, dst = p.d.remote;
    if (p.from_a) {
      if (nat_) src = {kCgwIp, nat_port(src.port)};  // the NAT rewrites the source
      if (blackhole_b) return;
      b.eng->on_datagram(dst, src, p.d.data, now);
    } else {
      if (blackhole_b) return;
      if (src.port == kNatTPort) src.port = b_source_port_4500;
      if (nat_) {
        if (dst.ip != kCgwIp || (dst.port != 40500 && dst.port != nat_port_4500)) return;  // no such mapping
        dst = {kCgwPrivateIp, static_cast<std::uint16_t>(dst.port == 40500 ? kIkePort : kNatTPort)};
      }
      a.eng->on_datagram(dst, src, p.d.data, now);
    }
  }

  bool nat_;
  std::deque<Packet> wire_;
  std::multimap<Millis, Packet> delayed_;  // with latency: by arrival time
};

}  // namespace xgw::ike::test
