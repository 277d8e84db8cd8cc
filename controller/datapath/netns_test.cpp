// XDP and TC attached to a veth pair between two network namespaces this test creates; real
// packets sent through the kernel; counters read from the pinned maps; restart without
// detaching; detach on request.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "bpf_test_util.h"
#include "libbpf_maps.h"
#include "loader.h"

namespace xgw::datapath {
namespace {

int Sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

class NetnsVeth : public ::testing::Test {
 protected:
  void SetUp() override {
    XGW_REQUIRE_BPF();
    std::string id = std::to_string(getpid());
    peer_ns_ = "xgwt-peer-" + id;
    gw_ns_ = "xgwt-gw-" + id;
    pin_dir_ = "/sys/fs/bpf/xgw-test-netns-" + id;
    ASSERT_EQ(Sh("ip netns add " + peer_ns_), 0);
    ASSERT_EQ(Sh("ip netns add " + gw_ns_), 0);
    created_ = true;
    ASSERT_EQ(Sh("ip -n " + peer_ns_ + " link add vpeer type veth peer name vwan netns " + gw_ns_), 0);
    ASSERT_EQ(Sh("ip -n " + peer_ns_ + " addr add 203.0.113.1/24 dev vpeer"), 0);
    ASSERT_EQ(Sh("ip -n " + peer_ns_ + " addr add 203.0.113.2/24 dev vpeer"), 0);
    ASSERT_EQ(Sh("ip -n " + gw_ns_ + " addr add 203.0.113.100/24 dev vwan"), 0);
    ASSERT_EQ(Sh("ip -n " + peer_ns_ + " link set vpeer up"), 0);
    ASSERT_EQ(Sh("ip -n " + gw_ns_ + " link set vwan up"), 0);
    ASSERT_EQ(Sh("ip -n " + gw_ns_ + " link set lo up"), 0);
  }
  void TearDown() override {
    if (!created_) return;
    Sh("ip netns del " + peer_ns_);
    Sh("ip netns del " + gw_ns_);
    Sh("rm -rf " + pin_dir_);
  }

  // Sends `count` UDP datagrams from the peer namespace, source address `src`.
  void SendUdp(const char* src, uint16_t dport, const std::vector<uint8_t>& payload, int count) {
    ScopedNetns ns("/run/netns/" + peer_ns_);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(dport);
    inet_pton(AF_INET, src, &a.sin_addr);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
    inet_pton(AF_INET, "203.0.113.100", &a.sin_addr);
    for (int i = 0; i < count; ++i)
      ASSERT_EQ(sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a),
                static_cast<ssize_t>(payload.size()));
    close(fd);
  }
  void SendEsp(const char* src, uint32_t spi, int count) {
    ScopedNetns ns("/run/netns/" + peer_ns_);
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ESP);
    ASSERT_GE(fd, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, src, &a.sin_addr);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    inet_pton(AF_INET, "203.0.113.100", &a.sin_addr);
    std::vector<uint8_t> esp(64, 0xAB);
    uint32_t spi_be = htonl(spi);
    memcpy(esp.data(), &spi_be, 4);
    for (int i = 0; i < count; ++i)
      ASSERT_EQ(sendto(fd, esp.data(), esp.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a), 64);
    close(fd);
  }
  static std::vector<uint8_t> Isakmp(bool rcookie) {
    std::vector<uint8_t> p(28, 0);
    p[0] = 0x11;
    if (rcookie) p[8] = 0x22;
    p[17] = 0x10;
    return p;
  }
  // Waits until the counter reaches `want` (veth delivery is asynchronous).
  template <typename F>
  uint64_t Await(F read, uint64_t want) {
    uint64_t v = 0;
    for (int i = 0; i < 200 && (v = read()) < want; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return v;
  }
  uint32_t XdpProgId() {
    ScopedNetns ns("/run/netns/" + gw_ns_);
    LIBBPF_OPTS(bpf_xdp_query_opts, q);
    EXPECT_EQ(bpf_xdp_query(static_cast<int>(if_nametoindex("vwan")), 0, &q), 0);
    return q.prog_id;
  }

  std::string peer_ns_, gw_ns_, pin_dir_;
  bool created_ = false;
};

TEST_F(NetnsVeth, RealPacketsAreClassifiedAndCountedThroughPinnedMaps) {
  Interface wan{"vwan", "/run/netns/" + gw_ns_};
  {
    auto dp = Datapath::Load({.pin_dir = pin_dir_});
    XdpMode mode = dp->AttachWan(wan, XdpMode::kNativeOrGeneric);
    EXPECT_EQ(mode, XdpMode::kNative) << "veth supports native XDP";
    dp->maps().SetConfig({.mm1_rate_pps = 0});
    dp->maps().UpsertPeer(Ipv4::Parse("203.0.113.1"), {.udp500 = true, .udp4500 = true, .esp = true}, 5);
    dp->maps().UpsertSpi(Ipv4::Parse("203.0.113.1"), 0x5001, 5, SpiEncap::kEsp);
  }
  // The loader object is gone; the pinned link keeps XDP attached and counting.
  EXPECT_NE(XdpProgId(), 0u);
  SendUdp("203.0.113.1", 500, Isakmp(true), 10);
  SendUdp("203.0.113.2", 500, Isakmp(false), 7);  // not a peer
  SendEsp("203.0.113.1", 0x5001, 4);

  // A second process-lifetime of the controller reads the same maps from the pins.
  auto dp = Datapath::Load({.pin_dir = pin_dir_});
  EXPECT_EQ(dp->origin(), Datapath::Origin::kReopened);
  auto tun = [&](xgw_tunnel_counter k) { return dp->maps().ReadTunnelCounters(5)[k].packets; };
  EXPECT_EQ(Await([&] { return tun(XGW_TCTR_IN_IKE_500); }, 10), 10u);
  EXPECT_EQ(Await([&] { return tun(XGW_TCTR_IN_ESP); }, 4), 4u);
  EXPECT_EQ(Await([&] { return dp->maps().ReadGlobalCounters().by_drop_reason[XGW_DROP_NOT_PEER].packets; }, 7), 7u);
  EXPECT_GE(dp->maps().ReadGlobalCounters().by_class[XGW_CLASS_OTHER].packets, 1u) << "ARP passed";

  // Restart swaps the program into the pinned link without a gap, then counts on.
  uint32_t old_id = XdpProgId();
  dp->AttachWan(wan);
  EXPECT_NE(XdpProgId(), old_id) << "bpf_link_update installed the new program";
  SendUdp("203.0.113.1", 4500, std::vector<uint8_t>{0xFF}, 3);
  EXPECT_EQ(Await([&] { return tun(XGW_TCTR_IN_KEEPALIVE); }, 3), 3u);

  // Detach on request.
  dp->DetachWan(wan);
  EXPECT_EQ(XdpProgId(), 0u);
  dp->Unpin();
}

TEST_F(NetnsVeth, GenericModeOnRequest) {
  Interface wan{"vwan", "/run/netns/" + gw_ns_};
  auto dp = Datapath::Load({.pin_dir = ""});
  EXPECT_EQ(dp->AttachWan(wan, XdpMode::kGeneric), XdpMode::kGeneric);
  dp->maps().UpsertPeer(Ipv4::Parse("203.0.113.2"), {.udp500 = true, .udp4500 = false, .esp = false}, 1);
  SendUdp("203.0.113.2", 4500, std::vector<uint8_t>{0xFF}, 2);  // NAT-T not allowed for this peer
  EXPECT_EQ(Await([&] { return dp->maps().ReadGlobalCounters().by_drop_reason[XGW_DROP_NOT_ALLOWED].packets; }, 2), 2u);
  EXPECT_EQ(dp->maps().ReadTunnelCounters(1)[XGW_TCTR_IN_DROPPED].packets, 2u);
}

}  // namespace
}  // namespace xgw::datapath
