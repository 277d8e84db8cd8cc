// Loader tests through BPF_PROG_TEST_RUN: shared maps between the three objects, pinning,
// re-opening with state intact, and replacing an older layout.
#include <gtest/gtest.h>
#include <linux/pkt_cls.h>
#include <unistd.h>

#include <string>

#include "bpf_test_util.h"
#include "loader.h"
#include "packet_builder.h"

namespace xgw::datapath {
namespace {

using reftest::PacketBuilder;
using reftest::TestRun;

std::string TestPinDir() { return "/sys/fs/bpf/xgw-test-loader-" + std::to_string(getpid()); }

void Populate(DatapathMaps& m) {
  m.SetConfig({});
  m.UpsertPeer(Ipv4::Parse("203.0.113.1"), {}, 9);
  m.UpsertSpi(Ipv4::Parse("203.0.113.1"), 0x1234, 9, SpiEncap::kEsp);
}

std::vector<uint8_t> Esp() { return PacketBuilder().Src("203.0.113.1").Proto(50).Esp(0x1234).Build(); }

TEST(Loader, UnpinnedObjectsShareOneSetOfMaps) {
  XGW_REQUIRE_BPF();
  auto dp = Datapath::Load({.pin_dir = ""});
  EXPECT_EQ(dp->origin(), Datapath::Origin::kFresh);
  EXPECT_EQ(dp->maps().LayoutVersion(), static_cast<uint32_t>(XGW_ABI_LAYOUT_VERSION));
  Populate(dp->maps());
  auto esp = Esp();
  EXPECT_EQ(TestRun(dp->xdp_prog_fd(), esp).retval, static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(TestRun(dp->xdp_prog_fd(), PacketBuilder().Src("198.51.100.1").Proto(50).Esp(0x1234).Build()).retval,
            static_cast<uint32_t>(XDP_DROP));
  TunnelCounters t = dp->maps().ReadTunnelCounters(9);
  EXPECT_EQ(t[XGW_TCTR_IN_ESP].packets, 1u);
  EXPECT_EQ(t[XGW_TCTR_IN_ESP].bytes, esp.size());
  GlobalCounters g = dp->maps().ReadGlobalCounters();
  EXPECT_EQ(g.by_class[XGW_CLASS_ESP].packets, 2u);
  EXPECT_EQ(g.by_drop_reason[XGW_DROP_NOT_PEER].packets, 1u);

  // The LAN program sees the routes and switch written through the same maps.
  dp->maps().AddRemoteNetwork(Ipv4::Parse("10.1.0.0"), 16, 3);
  dp->maps().SetTunnelParams(9, {0x99, 0, false});
  dp->maps().SetActiveTunnel(3, 9);
  __sk_buff in{}, out{};
  auto pkt = PacketBuilder().Src("192.168.0.2").Dst("10.1.2.3").Proto(17).Payload(std::vector<uint8_t>(8, 0)).Build();
  auto r = TestRun(dp->tc_lan_prog_fd(), pkt, &in, sizeof(in), &out);
  EXPECT_EQ(r.err, 0);
  EXPECT_EQ(out.mark, 0x99u);
}

TEST(Loader, RemovingAPeerClearsItsFilterBitAndDrops) {
  XGW_REQUIRE_BPF();
  auto dp = Datapath::Load({.pin_dir = ""});
  Populate(dp->maps());
  dp->maps().RemovePeer(Ipv4::Parse("203.0.113.1"));
  EXPECT_EQ(TestRun(dp->xdp_prog_fd(), Esp()).retval, static_cast<uint32_t>(XDP_DROP));
}

TEST(Loader, PinnedMapsSurviveAndAreReopened) {
  XGW_REQUIRE_BPF();
  LoaderOptions o{.pin_dir = TestPinDir()};
  {
    auto dp = Datapath::Load(o);
    EXPECT_EQ(dp->origin(), Datapath::Origin::kFresh);
    Populate(dp->maps());
    EXPECT_EQ(TestRun(dp->xdp_prog_fd(), Esp()).retval, static_cast<uint32_t>(XDP_PASS));
  }
  EXPECT_EQ(PinnedLayoutVersion(o.pin_dir), XGW_ABI_LAYOUT_VERSION);
  {
    auto dp = Datapath::Load(o);
    EXPECT_EQ(dp->origin(), Datapath::Origin::kReopened);
    // State and counters came back: the peer still passes, the counter continues.
    EXPECT_EQ(TestRun(dp->xdp_prog_fd(), Esp()).retval, static_cast<uint32_t>(XDP_PASS));
    EXPECT_EQ(dp->maps().ReadTunnelCounters(9)[XGW_TCTR_IN_ESP].packets, 2u);
    dp->Unpin();
  }
  EXPECT_EQ(access(o.pin_dir.c_str(), F_OK), -1);
}

TEST(Loader, OlderPinnedLayoutIsReplacedNotMisread) {
  XGW_REQUIRE_BPF();
  LoaderOptions o{.pin_dir = TestPinDir() + "-old"};
  {
    auto dp = Datapath::Load(o);
    Populate(dp->maps());
    EXPECT_EQ(TestRun(dp->xdp_prog_fd(), Esp()).retval, static_cast<uint32_t>(XDP_PASS));
    // Pretend an older gwd pinned these maps.
    xgw_config c{XGW_ABI_LAYOUT_VERSION - 1, 0, 0, 0};
    uint32_t zero = 0;
    ASSERT_EQ(bpf_map_update_elem(dp->libbpf_maps().fds().config, &zero, &c, BPF_ANY), 0);
  }
  auto dp = Datapath::Load(o);
  EXPECT_EQ(dp->origin(), Datapath::Origin::kUpgraded);
  EXPECT_EQ(PinnedLayoutVersion(o.pin_dir), XGW_ABI_LAYOUT_VERSION);
  EXPECT_EQ(dp->maps().ReadTunnelCounters(9)[XGW_TCTR_IN_ESP].packets, 0u) << "fresh maps";
  EXPECT_EQ(TestRun(dp->xdp_prog_fd(), Esp()).retval, static_cast<uint32_t>(XDP_DROP))
      << "the controller repopulates the allow-list after an upgrade";
  dp->Unpin();
}

TEST(Loader, NewerPinnedLayoutIsLeftAlone) {
  XGW_REQUIRE_BPF();
  LoaderOptions o{.pin_dir = TestPinDir() + "-new"};
  {
    auto dp = Datapath::Load(o);
    xgw_config c{XGW_ABI_LAYOUT_VERSION + 1, 0, 0, 0};
    uint32_t zero = 0;
    ASSERT_EQ(bpf_map_update_elem(dp->libbpf_maps().fds().config, &zero, &c, BPF_ANY), 0);
  }
  EXPECT_THROW(Datapath::Load(o), std::runtime_error);
  EXPECT_EQ(PinnedLayoutVersion(o.pin_dir), XGW_ABI_LAYOUT_VERSION + 1);
  std::string cmd = "rm -rf " + o.pin_dir;
  ASSERT_EQ(system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace xgw::datapath
