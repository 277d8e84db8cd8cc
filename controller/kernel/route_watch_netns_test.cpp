// RouteTableWatch against the real kernel in a private network namespace: routes added to,
// changed in and removed from a watched table arrive as changes, other tables' do not, and a
// dump lists what is there (the metric and interface included).
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "loader.h"
#include "route_watch.h"

namespace xgw::kernel {
namespace {

constexpr std::uint32_t kMin = 7870001, kMax = 7870099;

class RouteWatchNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces (CI runs as root)";
    ns_ = "xgwt-route-" + std::to_string(getpid());
    ASSERT_EQ(std::system(("ip netns add " + ns_).c_str()), 0);
    created_ = true;
    Ip("link add d0 type veth peer name d1");
    Ip("link set d0 up");
    Ip("link set d1 up");
    Ip("addr add 169.254.100.2/30 dev d0");
    datapath::ScopedNetns in("/run/netns/" + ns_);
    watch_ = std::make_unique<RouteTableWatch>(kMin, kMax);
  }
  void TearDown() override {
    watch_.reset();
    if (created_) std::system(("ip netns del " + ns_).c_str());
  }
  void Ip(const std::string& args) { ASSERT_EQ(std::system(("ip -n " + ns_ + " " + args).c_str()), 0) << args; }
  // The changes that arrive within a second, until `want` of them came.
  std::vector<std::pair<KernelRoute, bool>> Changes(std::size_t want) {
    std::vector<std::pair<KernelRoute, bool>> got;
    for (int i = 0; i < 20 && got.size() < want; ++i) {
      pollfd p{watch_->fd(), POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      watch_->Dispatch([&](const KernelRoute& r, bool removed) { got.emplace_back(r, removed); });
    }
    return got;
  }

  std::string ns_;
  bool created_ = false;
  std::unique_ptr<RouteTableWatch> watch_;
};

TEST_F(RouteWatchNetns, ChangesInWatchedTablesArrive) {
  Ip("route add 192.0.2.128/26 via 169.254.100.1 dev d0 table 7870001 metric 100");
  Ip("route add 198.18.0.0/16 via 169.254.100.1 dev d0 table 100");  // not watched
  auto got = Changes(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].second);
  EXPECT_EQ(got[0].first.table, 7870001u);
  EXPECT_EQ(got[0].first.dst, 0xC0000280u);
  EXPECT_EQ(got[0].first.len, 26);
  EXPECT_EQ(got[0].first.metric, 100u);
  EXPECT_GT(got[0].first.oif, 0);

  // A new MED is a new kernel route (the metric is part of its key), then the old one goes.
  Ip("route add 192.0.2.128/26 via 169.254.100.1 dev d0 table 7870001 metric 200");
  Ip("route del 192.0.2.128/26 table 7870001 metric 100");
  got = Changes(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[0].second);
  EXPECT_EQ(got[0].first.metric, 200u);
  EXPECT_TRUE(got[1].second);
  EXPECT_EQ(got[1].first.metric, 100u);
}

TEST_F(RouteWatchNetns, DumpListsOnlyTheWatchedTables) {
  Ip("route add 192.0.2.128/27 via 169.254.100.1 dev d0 table 7870002 metric 5");
  Ip("route add 10.9.0.0/16 via 169.254.100.1 dev d0 table 7870100");  // just outside the range
  auto routes = watch_->Dump();
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0].table, 7870002u);
  EXPECT_EQ(routes[0].dst, 0xC0000280u);
  EXPECT_EQ(routes[0].len, 27);
  EXPECT_EQ(routes[0].metric, 5u);
}

}  // namespace
}  // namespace xgw::kernel
