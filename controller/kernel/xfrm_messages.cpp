#include "xfrm_messages.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

namespace xgw::kernel::msg {
namespace {

constexpr uint64_t Inf(uint64_t v) { return v == 0 ? XFRM_INF : v; }

nlmsghdr* Header(Buffer& b, uint16_t type, uint16_t flags, uint32_t seq) {
  std::fill(b.bytes.begin(), b.bytes.end(), 0);
  nlmsghdr* nlh = mnl_nlmsg_put_header(b.data());
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  nlh->nlmsg_seq = seq;
  return nlh;
}

void FillSelector(xfrm_selector& s, const Selector& sel) {
  s.family = AF_INET;
  s.saddr.a4 = sel.src.addr.be;
  s.daddr.a4 = sel.dst.addr.be;
  s.prefixlen_s = sel.src.len;
  s.prefixlen_d = sel.dst.len;
  s.proto = sel.proto;
}

Selector ReadSelector(const xfrm_selector& s) {
  Selector out;
  out.src = {{s.saddr.a4}, s.prefixlen_s};
  out.dst = {{s.daddr.a4}, s.prefixlen_d};
  out.proto = s.proto;
  return out;
}

void InfiniteLifetime(xfrm_lifetime_cfg& l) {
  l.soft_byte_limit = l.hard_byte_limit = XFRM_INF;
  l.soft_packet_limit = l.hard_packet_limit = XFRM_INF;
}

void PutAlgo(nlmsghdr* nlh, uint16_t type, const std::string& name, const std::vector<uint8_t>& key,
             std::optional<uint32_t> trunc_or_icv, bool aead) {
  std::vector<char> a;
  if (aead) {
    a.resize(sizeof(xfrm_algo_aead) + key.size(), 0);
    auto* x = reinterpret_cast<xfrm_algo_aead*>(a.data());
    std::strncpy(x->alg_name, name.c_str(), sizeof(x->alg_name) - 1);
    x->alg_key_len = static_cast<unsigned>(key.size() * 8);
    x->alg_icv_len = *trunc_or_icv;
    std::memcpy(x->alg_key, key.data(), key.size());
  } else if (trunc_or_icv) {
    a.resize(sizeof(xfrm_algo_auth) + key.size(), 0);
    auto* x = reinterpret_cast<xfrm_algo_auth*>(a.data());
    std::strncpy(x->alg_name, name.c_str(), sizeof(x->alg_name) - 1);
    x->alg_key_len = static_cast<unsigned>(key.size() * 8);
    x->alg_trunc_len = *trunc_or_icv;
    std::memcpy(x->alg_key, key.data(), key.size());
  } else {
    a.resize(sizeof(xfrm_algo) + key.size(), 0);
    auto* x = reinterpret_cast<xfrm_algo*>(a.data());
    std::strncpy(x->alg_name, name.c_str(), sizeof(x->alg_name) - 1);
    x->alg_key_len = static_cast<unsigned>(key.size() * 8);
    std::memcpy(x->alg_key, key.data(), key.size());
  }
  mnl_attr_put(nlh, type, a.size(), a.data());
}

}  // namespace

nlmsghdr* BuildAllocSpi(Buffer& b, uint32_t seq, Addr4 src, Addr4 dst, uint32_t reqid, uint32_t min, uint32_t max) {
  nlmsghdr* nlh = Header(b, XFRM_MSG_ALLOCSPI, 0, seq);
  auto* u = static_cast<xfrm_userspi_info*>(mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_userspi_info)));
  u->info.family = AF_INET;
  u->info.saddr.a4 = src.be;
  u->info.id.daddr.a4 = dst.be;
  u->info.id.proto = IPPROTO_ESP;
  u->info.mode = XFRM_MODE_TUNNEL;
  u->info.reqid = reqid;
  u->min = min;
  u->max = max;
  return nlh;
}

nlmsghdr* BuildSa(Buffer& b, uint32_t seq, const SaParams& sa, bool update) {
  nlmsghdr* nlh = Header(b, update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA, 0, seq);
  auto* s = static_cast<xfrm_usersa_info*>(mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_usersa_info)));
  FillSelector(s->sel, sa.selector);
  s->id.daddr.a4 = sa.dst.be;
  s->id.spi = htonl(sa.spi);
  s->id.proto = IPPROTO_ESP;
  s->saddr.a4 = sa.src.be;
  s->family = AF_INET;
  s->mode = XFRM_MODE_TUNNEL;
  s->reqid = sa.reqid;
  s->lft.soft_byte_limit = Inf(sa.lifetime.soft_bytes);
  s->lft.hard_byte_limit = Inf(sa.lifetime.hard_bytes);
  s->lft.soft_packet_limit = Inf(sa.lifetime.soft_packets);
  s->lft.hard_packet_limit = Inf(sa.lifetime.hard_packets);
  s->lft.soft_add_expires_seconds = sa.lifetime.soft_add_seconds;
  s->lft.hard_add_expires_seconds = sa.lifetime.hard_add_seconds;
  if (sa.aead) {
    PutAlgo(nlh, XFRMA_ALG_AEAD, sa.aead->name, sa.aead->key, sa.aead->icv_bits, true);
  } else {
    if (sa.crypt) PutAlgo(nlh, XFRMA_ALG_CRYPT, sa.crypt->name, sa.crypt->key, std::nullopt, false);
    if (sa.auth) {
      uint32_t icv = sa.auth->icv_bits ? sa.auth->icv_bits : DefaultIcvBits(sa.auth->name);
      PutAlgo(nlh, XFRMA_ALG_AUTH_TRUNC, sa.auth->name, sa.auth->key, icv, false);
    }
  }
  if (sa.encap) {
    xfrm_encap_tmpl e{};
    e.encap_type = UDP_ENCAP_ESPINUDP;
    e.encap_sport = htons(sa.encap->sport);
    e.encap_dport = htons(sa.encap->dport);
    mnl_attr_put(nlh, XFRMA_ENCAP, sizeof(e), &e);
  }
  if (sa.esn || sa.replay_window > 32) {
    // The kernel wants replay_window 0 in xfrm_usersa_info when the ESN state is present.
    uint32_t bmp_len = (sa.replay_window + 31) / 32;
    std::vector<char> r(sizeof(xfrm_replay_state_esn) + bmp_len * sizeof(__u32), 0);
    auto* rs = reinterpret_cast<xfrm_replay_state_esn*>(r.data());
    rs->bmp_len = bmp_len;
    rs->replay_window = sa.replay_window;
    mnl_attr_put(nlh, XFRMA_REPLAY_ESN_VAL, r.size(), r.data());
    if (sa.esn) s->flags |= XFRM_STATE_ESN;
  } else {
    s->replay_window = static_cast<uint8_t>(sa.replay_window);
  }
  if (sa.if_id) mnl_attr_put_u32(nlh, XFRMA_IF_ID, sa.if_id);
  if (sa.output_mark) {
    mnl_attr_put_u32(nlh, XFRMA_SET_MARK, sa.output_mark->value);
    mnl_attr_put_u32(nlh, XFRMA_SET_MARK_MASK, sa.output_mark->mask);
  }
  return nlh;
}

static nlmsghdr* SaId(Buffer& b, uint16_t type, uint32_t seq, Addr4 dst, uint32_t spi) {
  nlmsghdr* nlh = Header(b, type, 0, seq);
  auto* id = static_cast<xfrm_usersa_id*>(mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_usersa_id)));
  id->daddr.a4 = dst.be;
  id->spi = htonl(spi);
  id->family = AF_INET;
  id->proto = IPPROTO_ESP;
  return nlh;
}

nlmsghdr* BuildDelSa(Buffer& b, uint32_t seq, Addr4 dst, uint32_t spi) { return SaId(b, XFRM_MSG_DELSA, seq, dst, spi); }
nlmsghdr* BuildGetSa(Buffer& b, uint32_t seq, Addr4 dst, uint32_t spi) { return SaId(b, XFRM_MSG_GETSA, seq, dst, spi); }

nlmsghdr* BuildPolicy(Buffer& b, uint32_t seq, const PolicyParams& p) {
  nlmsghdr* nlh = Header(b, XFRM_MSG_UPDPOLICY, 0, seq);
  auto* pol = static_cast<xfrm_userpolicy_info*>(mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_userpolicy_info)));
  FillSelector(pol->sel, p.selector);
  InfiniteLifetime(pol->lft);
  pol->priority = p.priority;
  pol->dir = static_cast<uint8_t>(p.dir);
  pol->action = p.block ? XFRM_POLICY_BLOCK : XFRM_POLICY_ALLOW;
  pol->share = XFRM_SHARE_ANY;
  if (!p.block) {
    xfrm_user_tmpl t{};
    t.family = AF_INET;
    t.id.daddr.a4 = p.tmpl_dst.be;
    t.id.proto = IPPROTO_ESP;
    t.saddr.a4 = p.tmpl_src.be;
    t.reqid = p.reqid;
    t.mode = XFRM_MODE_TUNNEL;
    t.aalgos = t.ealgos = t.calgos = ~0u;
    mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
  }
  if (p.if_id) mnl_attr_put_u32(nlh, XFRMA_IF_ID, p.if_id);
  return nlh;
}

nlmsghdr* BuildDelPolicy(Buffer& b, uint32_t seq, const Selector& sel, PolicyDir dir, uint32_t if_id) {
  nlmsghdr* nlh = Header(b, XFRM_MSG_DELPOLICY, 0, seq);
  auto* id = static_cast<xfrm_userpolicy_id*>(mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_userpolicy_id)));
  FillSelector(id->sel, sel);
  id->dir = static_cast<uint8_t>(dir);
  if (if_id) mnl_attr_put_u32(nlh, XFRMA_IF_ID, if_id);
  return nlh;
}

nlmsghdr* BuildNewXfrmLink(Buffer& b, uint32_t seq, const XfrmInterfaceParams& p, int underlay_ifindex) {
  nlmsghdr* nlh = Header(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, seq);
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  if (p.up) {
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
  }
  mnl_attr_put_strz(nlh, IFLA_IFNAME, p.name.c_str());
  if (p.mtu) mnl_attr_put_u32(nlh, IFLA_MTU, p.mtu);
  nlattr* linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "xfrm");
  nlattr* data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
  mnl_attr_put_u32(nlh, IFLA_XFRM_IF_ID, p.if_id);
  if (underlay_ifindex > 0) mnl_attr_put_u32(nlh, IFLA_XFRM_LINK, static_cast<uint32_t>(underlay_ifindex));
  mnl_attr_nest_end(nlh, data);
  mnl_attr_nest_end(nlh, linkinfo);
  return nlh;
}

nlmsghdr* BuildDelLink(Buffer& b, uint32_t seq, const std::string& name) {
  nlmsghdr* nlh = Header(b, RTM_DELLINK, 0, seq);
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
  return nlh;
}

nlmsghdr* BuildNewAddr(Buffer& b, uint32_t seq, int ifindex, const Prefix4& addr) {
  nlmsghdr* nlh = Header(b, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, seq);
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = addr.len;
  ifa->ifa_index = static_cast<uint32_t>(ifindex);
  mnl_attr_put_u32(nlh, IFA_LOCAL, addr.addr.be);
  mnl_attr_put_u32(nlh, IFA_ADDRESS, addr.addr.be);
  return nlh;
}

namespace {

struct AttrTable {
  const nlattr* tb[XFRMA_MAX + 1] = {};
};

int CollectAttr(const nlattr* attr, void* data) {
  auto* t = static_cast<AttrTable*>(data);
  uint16_t type = mnl_attr_get_type(attr);
  if (mnl_attr_type_valid(attr, XFRMA_MAX) < 0) return MNL_CB_OK;  // newer attribute: skip
  t->tb[type] = attr;
  return MNL_CB_OK;
}

}  // namespace

std::optional<SaInfo> ParseSaInfo(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != XFRM_MSG_NEWSA && nlh->nlmsg_type != XFRM_MSG_UPDSA) return std::nullopt;
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(xfrm_usersa_info)) return std::nullopt;
  const auto* s = static_cast<const xfrm_usersa_info*>(mnl_nlmsg_get_payload(nlh));
  SaInfo out;
  out.spi = ntohl(s->id.spi);
  out.counters.bytes = s->curlft.bytes;
  out.counters.packets = s->curlft.packets;
  out.counters.add_time = s->curlft.add_time;
  out.counters.use_time = s->curlft.use_time;
  out.counters.replay_window = s->replay_window;
  out.counters.replay_dropped = s->stats.replay;
  out.counters.integrity_failed = s->stats.integrity_failed;
  AttrTable t;
  mnl_attr_parse(nlh, sizeof(xfrm_usersa_info), CollectAttr, &t);
  if (const nlattr* r = t.tb[XFRMA_REPLAY_ESN_VAL]; r && mnl_attr_get_payload_len(r) >= sizeof(xfrm_replay_state_esn)) {
    const auto* rs = static_cast<const xfrm_replay_state_esn*>(mnl_attr_get_payload(r));
    out.counters.replay_window = rs->replay_window;
  }
  return out;
}

std::optional<KernelEvent> ParseEvent(const nlmsghdr* nlh) {
  KernelEvent ev;
  AttrTable t;
  if (nlh->nlmsg_type == XFRM_MSG_ACQUIRE) {
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(xfrm_user_acquire)) return std::nullopt;
    const auto* a = static_cast<const xfrm_user_acquire*>(mnl_nlmsg_get_payload(nlh));
    ev.type = KernelEvent::Type::kAcquire;
    ev.src = {a->saddr.a4};
    ev.dst = {a->id.daddr.a4};
    ev.selector = ReadSelector(a->sel);
    ev.policy_index = a->policy.index;
    mnl_attr_parse(nlh, sizeof(xfrm_user_acquire), CollectAttr, &t);
    if (const nlattr* tm = t.tb[XFRMA_TMPL]; tm && mnl_attr_get_payload_len(tm) >= sizeof(xfrm_user_tmpl))
      ev.reqid = static_cast<const xfrm_user_tmpl*>(mnl_attr_get_payload(tm))->reqid;
  } else if (nlh->nlmsg_type == XFRM_MSG_EXPIRE) {
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(xfrm_user_expire)) return std::nullopt;
    const auto* e = static_cast<const xfrm_user_expire*>(mnl_nlmsg_get_payload(nlh));
    ev.type = e->hard ? KernelEvent::Type::kHardExpire : KernelEvent::Type::kSoftExpire;
    ev.src = {e->state.saddr.a4};
    ev.dst = {e->state.id.daddr.a4};
    ev.spi = ntohl(e->state.id.spi);
    ev.reqid = e->state.reqid;
    ev.selector = ReadSelector(e->state.sel);
    mnl_attr_parse(nlh, sizeof(xfrm_user_expire), CollectAttr, &t);
  } else {
    return std::nullopt;
  }
  if (const nlattr* id = t.tb[XFRMA_IF_ID]; id && mnl_attr_validate(id, MNL_TYPE_U32) == 0)
    ev.if_id = mnl_attr_get_u32(id);
  return ev;
}

std::optional<Ack> ParseAck(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != NLMSG_ERROR) return std::nullopt;
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr)) return Ack{EPROTO, "truncated netlink error"};
  const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
  Ack ack{-e->error, {}};
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return ack;
  // The TLVs follow the echoed request: its header only when capped, else all of it.
  size_t off = sizeof(nlmsgerr);
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) off += e->msg.nlmsg_len - sizeof(nlmsghdr);
  struct Msg {
    std::string text;
  } m;
  mnl_attr_parse(nlh, static_cast<unsigned>(off),
                 [](const nlattr* a, void* data) {
                   if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
                     static_cast<Msg*>(data)->text = mnl_attr_get_str(a);
                   return MNL_CB_OK;
                 },
                 &m);
  ack.message = m.text;
  return ack;
}

}  // namespace xgw::kernel::msg
