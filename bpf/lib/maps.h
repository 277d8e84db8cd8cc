/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Map definitions shared by every xgw BPF object. All objects define the same maps with the
 * same names; the loader pins them under /sys/fs/bpf/xgw/<name> and every object reuses the
 * pinned instance, so the XDP classifier and the TC programs count into one set of maps.
 * Key and value types come from xgw_abi.h, which also documents each map.
 */
#ifndef XGW_BPF_MAPS_H
#define XGW_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xgw_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xgw_config);
} xgw_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XGW_MAX_PEERS);
	__type(key, struct xgw_peer_key);
	__type(value, struct xgw_peer);
} xgw_peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XGW_PEER_BLOOM_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} xgw_peer_bloom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XGW_MAX_SPIS);
	__type(key, struct xgw_spi_key);
	__type(value, struct xgw_spi_info);
} xgw_spi SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XGW_MAX_TUNNELS);
	__type(key, __u32);
	__type(value, struct xgw_tunnel_counters);
} xgw_tun_ctr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XGW_GCTR_MAX);
	__type(key, __u32);
	__type(value, struct xgw_counter);
} xgw_global_ctr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XGW_MAX_RL_SOURCES);
	__type(key, __be32);
	__type(value, struct xgw_ratelimit);
} xgw_mm1_rl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XGW_MAX_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xgw_route_key);
	__type(value, struct xgw_route);
} xgw_routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XGW_MAX_CONNECTIONS);
	__type(key, __u32);
	__type(value, struct xgw_active);
} xgw_active SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XGW_MAX_TUNNELS);
	__type(key, __u32);
	__type(value, struct xgw_tunnel_params);
} xgw_tun_params SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XGW_MAX_TUNNELS);
	__type(key, __u32);
	__type(value, __u32);
} xgw_tun_ifaces SEC(".maps");

#endif /* XGW_BPF_MAPS_H */
