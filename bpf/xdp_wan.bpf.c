// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * XDP program for the WAN interface.
 *
 * First version: classifies Ethernet frames as IPv4 or not and counts them per class.
 * It proves the build chain (clang -> skeleton -> C++ -> BPF_PROG_TEST_RUN); the datapath
 * issue grows it into the full classifier and allow-list.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xgw_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XGW_CLASS_MAX);
	__type(key, __u32);
	__type(value, struct xgw_counter);
} class_counters SEC(".maps");

static __always_inline void count_class(__u32 cls, __u64 len)
{
	struct xgw_counter *c = bpf_map_lookup_elem(&class_counters, &cls);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

SEC("xdp")
int xdp_wan(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 cls = XGW_CLASS_OTHER;

	if ((void *)(eth + 1) <= data_end && eth->h_proto == bpf_htons(ETH_P_IP))
		cls = XGW_CLASS_OTHER_IPV4;
	count_class(cls, data_end - data);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
