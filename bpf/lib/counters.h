/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-CPU counter updates. Array lookups are inlined by the verifier: no hash, no atomics. */
#ifndef XGW_BPF_COUNTERS_H
#define XGW_BPF_COUNTERS_H

#include "maps.h"

static __always_inline void xgw_count_global(__u32 index, __u64 bytes)
{
	struct xgw_counter *c = bpf_map_lookup_elem(&xgw_global_ctr, &index);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void xgw_count_tunnel(__u32 tunnel, __u32 kind, __u64 bytes)
{
	struct xgw_tunnel_counters *t = bpf_map_lookup_elem(&xgw_tun_ctr, &tunnel);

	if (t && kind < XGW_TCTR_MAX) {
		t->c[kind].packets++;
		t->c[kind].bytes += bytes;
	}
}

#endif /* XGW_BPF_COUNTERS_H */
