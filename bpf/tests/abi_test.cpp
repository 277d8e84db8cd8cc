// The C++ view of xgw_abi.h against the BTF of the compiled BPF objects: every ABI struct has
// the same size on both sides, and every map has the key/value sizes the C++ code assumes.
// Opening (not loading) a skeleton needs no privileges, so this test runs everywhere.
#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <string>

#include "bpf_test_util.h"
#include "tc_lan_ingress.skel.h"
#include "tc_wan_egress.skel.h"
#include "xdp_wan.skel.h"

namespace xgw::reftest {
namespace {

int64_t BtfStructSize(const bpf_object* obj, const char* name) {
  const btf* b = bpf_object__btf(obj);
  if (!b) return -1;
  int id = btf__find_by_name_kind(b, name, BTF_KIND_STRUCT);
  if (id < 0) return -2;
  return btf__resolve_size(b, id);
}

template <typename Skel>
void CheckMaps(Skel* s) {
  struct Expect {
    const bpf_map* map;
    size_t key, value;
    uint32_t entries;
  };
  const Expect maps[] = {
      {s->maps.xgw_config, 4, sizeof(xgw_config), 1},
      {s->maps.xgw_peers, sizeof(xgw_peer_key), sizeof(xgw_peer), XGW_MAX_PEERS},
      {s->maps.xgw_peer_bloom, 4, 8, XGW_PEER_BLOOM_WORDS},
      {s->maps.xgw_spi, sizeof(xgw_spi_key), sizeof(xgw_spi_info), XGW_MAX_SPIS},
      {s->maps.xgw_tun_ctr, 4, sizeof(xgw_tunnel_counters), XGW_MAX_TUNNELS},
      {s->maps.xgw_global_ctr, 4, sizeof(xgw_counter), XGW_GCTR_MAX},
      {s->maps.xgw_mm1_rl, 4, sizeof(xgw_ratelimit), XGW_MAX_RL_SOURCES},
      {s->maps.xgw_routes, sizeof(xgw_route_key), sizeof(xgw_route), XGW_MAX_ROUTES},
      {s->maps.xgw_active, 4, sizeof(xgw_active), XGW_MAX_CONNECTIONS},
      {s->maps.xgw_tun_params, 4, sizeof(xgw_tunnel_params), XGW_MAX_TUNNELS},
      {s->maps.xgw_tun_ifaces, 4, 4, XGW_MAX_TUNNELS},
  };
  for (const auto& e : maps) {
    SCOPED_TRACE(bpf_map__name(e.map));
    EXPECT_EQ(bpf_map__key_size(e.map), e.key);
    EXPECT_EQ(bpf_map__value_size(e.map), e.value);
    EXPECT_EQ(bpf_map__max_entries(e.map), e.entries);
    EXPECT_GT(bpf_map__btf_value_type_id(e.map), 0u) << "map carries BTF for bpftool dumps";
  }
}

template <typename Skel>
void CheckStructs(Skel* s) {
  const bpf_object* obj = s->obj;
  EXPECT_EQ(BtfStructSize(obj, "xgw_config"), int64_t{sizeof(xgw_config)});
  EXPECT_EQ(BtfStructSize(obj, "xgw_peer"), int64_t{sizeof(xgw_peer)});
  EXPECT_EQ(BtfStructSize(obj, "xgw_peer_key"), int64_t{sizeof(xgw_peer_key)});
  EXPECT_EQ(BtfStructSize(obj, "xgw_spi_key"), int64_t{sizeof(xgw_spi_key)});
  EXPECT_EQ(BtfStructSize(obj, "xgw_spi_info"), int64_t{sizeof(xgw_spi_info)});
  EXPECT_EQ(BtfStructSize(obj, "xgw_tunnel_counters"), int64_t{sizeof(xgw_tunnel_counters)});
  EXPECT_EQ(BtfStructSize(obj, "xgw_counter"), int64_t{sizeof(xgw_counter)});
  EXPECT_EQ(BtfStructSize(obj, "xgw_ratelimit"), int64_t{sizeof(xgw_ratelimit)});
  EXPECT_EQ(BtfStructSize(obj, "xgw_route_key"), int64_t{sizeof(xgw_route_key)});
  EXPECT_EQ(BtfStructSize(obj, "xgw_active"), int64_t{sizeof(xgw_active)});
  EXPECT_EQ(BtfStructSize(obj, "xgw_tunnel_params"), int64_t{sizeof(xgw_tunnel_params)});
}

TEST(Abi, XdpWanMatchesBtf) {
  SkelPtr<xdp_wan> s(xdp_wan::open());
  ASSERT_TRUE(s);
  CheckMaps(s.get());
  CheckStructs(s.get());
}

TEST(Abi, TcWanEgressMatchesBtf) {
  SkelPtr<tc_wan_egress> s(tc_wan_egress::open());
  ASSERT_TRUE(s);
  CheckMaps(s.get());
}

TEST(Abi, TcLanIngressMatchesBtf) {
  SkelPtr<tc_lan_ingress> s(tc_lan_ingress::open());
  ASSERT_TRUE(s);
  CheckMaps(s.get());
  CheckStructs(s.get());
}

}  // namespace
}  // namespace xgw::reftest
