// The netlink requests XfrmNetlink sends, built and parsed back with libmnl, attribute by
// attribute: tunnel mode, RFC 4868 truncation, rfc4106 GCM, NAT-T encapsulation, the 1024
// replay window as XFRMA_REPLAY_ESN_VAL, lifetimes, if_id, output mark, policies with if_id,
// XFRM interfaces; and parsing of acks with extended messages, acquire and expire events.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>

#include <cstring>
#include <map>

#include "xfrm_messages.h"

namespace xgw::kernel {
namespace {

using Attrs = std::map<uint16_t, const nlattr*>;

Attrs Parse(const nlmsghdr* nlh, size_t extra) {
  Attrs a;
  EXPECT_EQ(mnl_attr_parse(nlh, static_cast<unsigned>(extra),
                           [](const nlattr* attr, void* data) {
                             (*static_cast<Attrs*>(data))[mnl_attr_get_type(attr)] = attr;
                             return MNL_CB_OK;
                           },
                           &a),
            MNL_CB_OK);
  return a;
}

std::vector<uint8_t> Key(size_t n, uint8_t seed) {
  std::vector<uint8_t> k(n);
  for (size_t i = 0; i < n; ++i) k[i] = static_cast<uint8_t>(seed + i);
  return k;
}

SaParams BaseSa() {
  SaParams sa;
  sa.src = Addr4::Parse("192.0.2.1");
  sa.dst = Addr4::Parse("203.0.113.9");
  sa.spi = 0xc0ffee01;
  sa.reqid = 42;
  return sa;
}

TEST(XfrmMessages, CbcSha1TunnelSaWithReplayWindow1024) {
  SaParams sa = BaseSa();
  sa.crypt = CryptAlg{"cbc(aes)", Key(16, 1)};
  sa.auth = AuthAlg{"hmac(sha1)", Key(20, 100), 0};
  sa.lifetime = {.soft_bytes = 1000, .hard_bytes = 2000, .soft_packets = 0, .hard_packets = 0,
                 .soft_add_seconds = 3000, .hard_add_seconds = 3600};
  sa.if_id = 7;
  sa.output_mark = Mark{0x107, 0xffff};
  msg::Buffer b;
  nlmsghdr* nlh = msg::BuildSa(b, 5, sa, false);
  EXPECT_EQ(nlh->nlmsg_type, XFRM_MSG_NEWSA);
  EXPECT_EQ(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
  const auto* s = static_cast<const xfrm_usersa_info*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(ntohl(s->id.spi), 0xc0ffee01u);
  EXPECT_EQ(s->id.proto, IPPROTO_ESP);
  EXPECT_EQ(s->id.daddr.a4, Addr4::Parse("203.0.113.9").be);
  EXPECT_EQ(s->saddr.a4, Addr4::Parse("192.0.2.1").be);
  EXPECT_EQ(s->mode, XFRM_MODE_TUNNEL);
  EXPECT_EQ(s->family, AF_INET);
  EXPECT_EQ(s->reqid, 42u);
  EXPECT_EQ(s->replay_window, 0) << "kernel rejects a non-zero value beside XFRMA_REPLAY_ESN_VAL";
  EXPECT_EQ(s->flags & XFRM_STATE_ESN, 0);
  EXPECT_EQ(s->lft.soft_byte_limit, 1000u);
  EXPECT_EQ(s->lft.hard_byte_limit, 2000u);
  EXPECT_EQ(s->lft.soft_packet_limit, XFRM_INF);
  EXPECT_EQ(s->lft.soft_add_expires_seconds, 3000u);
  EXPECT_EQ(s->lft.hard_add_expires_seconds, 3600u);

  Attrs a = Parse(nlh, sizeof(xfrm_usersa_info));
  ASSERT_TRUE(a.count(XFRMA_ALG_CRYPT));
  const auto* c = static_cast<const xfrm_algo*>(mnl_attr_get_payload(a[XFRMA_ALG_CRYPT]));
  EXPECT_STREQ(c->alg_name, "cbc(aes)");
  EXPECT_EQ(c->alg_key_len, 128u);
  EXPECT_EQ(c->alg_key[0], 1);
  ASSERT_TRUE(a.count(XFRMA_ALG_AUTH_TRUNC));
  EXPECT_FALSE(a.count(XFRMA_ALG_AUTH)) << "legacy XFRMA_ALG_AUTH would give SHA2 a 96-bit ICV";
  const auto* au = static_cast<const xfrm_algo_auth*>(mnl_attr_get_payload(a[XFRMA_ALG_AUTH_TRUNC]));
  EXPECT_STREQ(au->alg_name, "hmac(sha1)");
  EXPECT_EQ(au->alg_key_len, 160u);
  EXPECT_EQ(au->alg_trunc_len, 96u);
  EXPECT_EQ(au->alg_key[19], 119);
  ASSERT_TRUE(a.count(XFRMA_REPLAY_ESN_VAL));
  const auto* r = static_cast<const xfrm_replay_state_esn*>(mnl_attr_get_payload(a[XFRMA_REPLAY_ESN_VAL]));
  EXPECT_EQ(r->replay_window, 1024u);
  EXPECT_EQ(r->bmp_len, 32u);
  EXPECT_EQ(mnl_attr_get_payload_len(a[XFRMA_REPLAY_ESN_VAL]), sizeof(xfrm_replay_state_esn) + 32 * 4);
  EXPECT_EQ(mnl_attr_get_u32(a[XFRMA_IF_ID]), 7u);
  EXPECT_EQ(mnl_attr_get_u32(a[XFRMA_SET_MARK]), 0x107u);
  EXPECT_EQ(mnl_attr_get_u32(a[XFRMA_SET_MARK_MASK]), 0xffffu);
  EXPECT_FALSE(a.count(XFRMA_ENCAP));
}

TEST(XfrmMessages, Sha2TruncationFollowsRfc4868) {
  for (auto [name, bits] : std::vector<std::pair<std::string, uint32_t>>{
           {"hmac(sha256)", 128}, {"hmac(sha384)", 192}, {"hmac(sha512)", 256}, {"hmac(sha1)", 96}}) {
    SaParams sa = BaseSa();
    sa.crypt = CryptAlg{"cbc(aes)", Key(32, 1)};
    sa.auth = AuthAlg{name, Key(32, 2), 0};
    msg::Buffer b;
    nlmsghdr* nlh = msg::BuildSa(b, 1, sa, true);
    EXPECT_EQ(nlh->nlmsg_type, XFRM_MSG_UPDSA);
    Attrs a = Parse(nlh, sizeof(xfrm_usersa_info));
    const auto* au = static_cast<const xfrm_algo_auth*>(mnl_attr_get_payload(a[XFRMA_ALG_AUTH_TRUNC]));
    EXPECT_EQ(au->alg_trunc_len, bits) << name;
    EXPECT_EQ(DefaultIcvBits(name), bits);
  }
}

TEST(XfrmMessages, GcmIsAeadWithSaltInKeyAndNatT) {
  SaParams sa = BaseSa();
  sa.aead = AeadAlg{"rfc4106(gcm(aes))", Key(36, 9), 128};  // AES-256 + 4-byte salt
  sa.encap = NatTEncap{4500, 31337};
  sa.replay_window = 32;
  msg::Buffer b;
  nlmsghdr* nlh = msg::BuildSa(b, 1, sa, false);
  const auto* s = static_cast<const xfrm_usersa_info*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(s->replay_window, 32) << "small windows fit xfrm_usersa_info";
  Attrs a = Parse(nlh, sizeof(xfrm_usersa_info));
  EXPECT_FALSE(a.count(XFRMA_ALG_CRYPT));
  EXPECT_FALSE(a.count(XFRMA_ALG_AUTH_TRUNC));
  EXPECT_FALSE(a.count(XFRMA_REPLAY_ESN_VAL));
  const auto* g = static_cast<const xfrm_algo_aead*>(mnl_attr_get_payload(a[XFRMA_ALG_AEAD]));
  EXPECT_STREQ(g->alg_name, "rfc4106(gcm(aes))");
  EXPECT_EQ(g->alg_key_len, 288u);
  EXPECT_EQ(g->alg_icv_len, 128u);
  const auto* e = static_cast<const xfrm_encap_tmpl*>(mnl_attr_get_payload(a[XFRMA_ENCAP]));
  EXPECT_EQ(e->encap_type, 2);  // UDP_ENCAP_ESPINUDP
  EXPECT_EQ(ntohs(e->encap_sport), 4500);
  EXPECT_EQ(ntohs(e->encap_dport), 31337);
}

TEST(XfrmMessages, AllocSpiDeleteAndQuery) {
  msg::Buffer b;
  nlmsghdr* nlh = msg::BuildAllocSpi(b, 1, Addr4::Parse("203.0.113.9"), Addr4::Parse("192.0.2.1"), 9, 0x100, 0x200);
  EXPECT_EQ(nlh->nlmsg_type, XFRM_MSG_ALLOCSPI);
  const auto* u = static_cast<const xfrm_userspi_info*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(u->min, 0x100u);
  EXPECT_EQ(u->max, 0x200u);
  EXPECT_EQ(u->info.id.proto, IPPROTO_ESP);
  EXPECT_EQ(u->info.id.daddr.a4, Addr4::Parse("192.0.2.1").be);
  EXPECT_EQ(u->info.reqid, 9u);
  nlh = msg::BuildDelSa(b, 1, Addr4::Parse("192.0.2.1"), 0x1234);
  EXPECT_EQ(nlh->nlmsg_type, XFRM_MSG_DELSA);
  EXPECT_EQ(ntohl(static_cast<const xfrm_usersa_id*>(mnl_nlmsg_get_payload(nlh))->spi), 0x1234u);
  nlh = msg::BuildGetSa(b, 1, Addr4::Parse("192.0.2.1"), 0x1234);
  EXPECT_EQ(nlh->nlmsg_type, XFRM_MSG_GETSA);
}

TEST(XfrmMessages, PolicyWithTemplateAndIfId) {
  PolicyParams p;
  p.selector = {{Addr4::Parse("0.0.0.0"), 0}, {Addr4::Parse("10.0.0.0"), 8}, 0};
  p.dir = PolicyDir::kFwd;
  p.tmpl_src = Addr4::Parse("203.0.113.9");
  p.tmpl_dst = Addr4::Parse("192.0.2.1");
  p.reqid = 3;
  p.if_id = 11;
  msg::Buffer b;
  nlmsghdr* nlh = msg::BuildPolicy(b, 1, p);
  EXPECT_EQ(nlh->nlmsg_type, XFRM_MSG_UPDPOLICY);
  const auto* pol = static_cast<const xfrm_userpolicy_info*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(pol->dir, XFRM_POLICY_FWD);
  EXPECT_EQ(pol->action, XFRM_POLICY_ALLOW);
  EXPECT_EQ(pol->sel.prefixlen_d, 8);
  EXPECT_EQ(pol->sel.family, AF_INET);
  Attrs a = Parse(nlh, sizeof(xfrm_userpolicy_info));
  const auto* t = static_cast<const xfrm_user_tmpl*>(mnl_attr_get_payload(a[XFRMA_TMPL]));
  EXPECT_EQ(t->mode, XFRM_MODE_TUNNEL);
  EXPECT_EQ(t->reqid, 3u);
  EXPECT_EQ(t->id.daddr.a4, Addr4::Parse("192.0.2.1").be);
  EXPECT_EQ(t->saddr.a4, Addr4::Parse("203.0.113.9").be);
  EXPECT_EQ(mnl_attr_get_u32(a[XFRMA_IF_ID]), 11u);
  nlh = msg::BuildDelPolicy(b, 1, p.selector, PolicyDir::kIn, 11);
  EXPECT_EQ(nlh->nlmsg_type, XFRM_MSG_DELPOLICY);
  EXPECT_EQ(static_cast<const xfrm_userpolicy_id*>(mnl_nlmsg_get_payload(nlh))->dir, XFRM_POLICY_IN);
  EXPECT_EQ(mnl_attr_get_u32(Parse(nlh, sizeof(xfrm_userpolicy_id))[XFRMA_IF_ID]), 11u);
}

TEST(XfrmMessages, XfrmInterfaceLinkAndAddress) {
  XfrmInterfaceParams p{"xgw-t1", 21, "", 1438, {}, true};
  msg::Buffer b;
  nlmsghdr* nlh = msg::BuildNewXfrmLink(b, 1, p, 4);
  EXPECT_EQ(nlh->nlmsg_type, RTM_NEWLINK);
  EXPECT_TRUE(nlh->nlmsg_flags & NLM_F_CREATE);
  Attrs a = Parse(nlh, sizeof(ifinfomsg));
  EXPECT_STREQ(mnl_attr_get_str(a[IFLA_IFNAME]), "xgw-t1");
  EXPECT_EQ(mnl_attr_get_u32(a[IFLA_MTU]), 1438u);
  Attrs li;
  mnl_attr_parse_nested(a[IFLA_LINKINFO],
                        [](const nlattr* attr, void* d) {
                          (*static_cast<Attrs*>(d))[mnl_attr_get_type(attr)] = attr;
                          return MNL_CB_OK;
                        },
                        &li);
  EXPECT_STREQ(mnl_attr_get_str(li[IFLA_INFO_KIND]), "xfrm");
  Attrs data;
  mnl_attr_parse_nested(li[IFLA_INFO_DATA],
                        [](const nlattr* attr, void* d) {
                          (*static_cast<Attrs*>(d))[mnl_attr_get_type(attr)] = attr;
                          return MNL_CB_OK;
                        },
                        &data);
  EXPECT_EQ(mnl_attr_get_u32(data[IFLA_XFRM_IF_ID]), 21u);
  EXPECT_EQ(mnl_attr_get_u32(data[IFLA_XFRM_LINK]), 4u);
  nlh = msg::BuildNewAddr(b, 1, 9, {Addr4::Parse("169.254.10.2"), 30});
  const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(ifa->ifa_prefixlen, 30);
  EXPECT_EQ(ifa->ifa_index, 9u);
  EXPECT_EQ(mnl_attr_get_u32(Parse(nlh, sizeof(ifaddrmsg))[IFA_LOCAL]), Addr4::Parse("169.254.10.2").be);
}

// Messages as the kernel would send them, built with libmnl.
TEST(XfrmMessages, ParsesAckWithExtendedMessage) {
  std::vector<char> buf(4096, 0);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = NLMSG_ERROR;
  nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
  auto* e = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nlmsgerr)));
  e->error = -EPROTONOSUPPORT;
  e->msg.nlmsg_len = 100;
  mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Requested type not found");
  auto ack = msg::ParseAck(nlh);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->error, EPROTONOSUPPORT);
  EXPECT_EQ(ack->message, "Requested type not found");
  KernelError err("add SA 192.0.2.1->203.0.113.9 spi 0x00000001", ack->error, ack->message);
  EXPECT_NE(std::string(err.what()).find("add SA"), std::string::npos);
  EXPECT_NE(std::string(err.what()).find("Requested type not found"), std::string::npos);
}

TEST(XfrmMessages, ParsesExpireAndAcquire) {
  std::vector<char> buf(4096, 0);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = XFRM_MSG_EXPIRE;
  auto* x = static_cast<xfrm_user_expire*>(mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_user_expire)));
  x->state.id.spi = htonl(0xabcdef01);
  x->state.id.daddr.a4 = Addr4::Parse("203.0.113.9").be;
  x->state.saddr.a4 = Addr4::Parse("192.0.2.1").be;
  x->state.reqid = 77;
  x->hard = 0;
  mnl_attr_put_u32(nlh, XFRMA_IF_ID, 5);
  auto ev = msg::ParseEvent(nlh);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->type, KernelEvent::Type::kSoftExpire);
  EXPECT_EQ(ev->spi, 0xabcdef01u);
  EXPECT_EQ(ev->reqid, 77u);
  EXPECT_EQ(ev->if_id, 5u);
  EXPECT_EQ(ev->dst.ToString(), "203.0.113.9");
  x->hard = 1;
  EXPECT_EQ(msg::ParseEvent(nlh)->type, KernelEvent::Type::kHardExpire);

  std::fill(buf.begin(), buf.end(), 0);
  nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = XFRM_MSG_ACQUIRE;
  auto* a = static_cast<xfrm_user_acquire*>(mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_user_acquire)));
  a->id.daddr.a4 = Addr4::Parse("203.0.113.9").be;
  a->saddr.a4 = Addr4::Parse("192.0.2.1").be;
  a->sel.daddr.a4 = Addr4::Parse("10.0.0.0").be;
  a->sel.prefixlen_d = 8;
  a->policy.index = 99;
  xfrm_user_tmpl t{};
  t.reqid = 12;
  mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
  ev = msg::ParseEvent(nlh);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->type, KernelEvent::Type::kAcquire);
  EXPECT_EQ(ev->reqid, 12u);
  EXPECT_EQ(ev->policy_index, 99u);
  EXPECT_EQ(ev->selector.dst.len, 8);
}

TEST(XfrmMessages, ParsesSaInfoWithEsnWindow) {
  std::vector<char> buf(4096, 0);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = XFRM_MSG_NEWSA;
  auto* s = static_cast<xfrm_usersa_info*>(mnl_nlmsg_put_extra_header(nlh, sizeof(xfrm_usersa_info)));
  s->id.spi = htonl(0x55);
  s->curlft.bytes = 1234;
  s->curlft.packets = 12;
  s->stats.integrity_failed = 2;
  std::vector<char> r(sizeof(xfrm_replay_state_esn) + 32 * 4, 0);
  reinterpret_cast<xfrm_replay_state_esn*>(r.data())->replay_window = 1024;
  reinterpret_cast<xfrm_replay_state_esn*>(r.data())->bmp_len = 32;
  mnl_attr_put(nlh, XFRMA_REPLAY_ESN_VAL, r.size(), r.data());
  auto info = msg::ParseSaInfo(nlh);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->spi, 0x55u);
  EXPECT_EQ(info->counters.bytes, 1234u);
  EXPECT_EQ(info->counters.packets, 12u);
  EXPECT_EQ(info->counters.integrity_failed, 2u);
  EXPECT_EQ(info->counters.replay_window, 1024u);
}

}  // namespace
}  // namespace xgw::kernel
