// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * XDP program for the WAN interface: classify -> allow-list -> count -> verdict.
 *
 * Every frame is counted once by class (xgw_global_ctr). VPN classes (IKE 500/4500, NAT-T
 * keepalive, ESP, ESP-in-UDP, non-first fragments of UDP/ESP) pass only from peers on the
 * allow-list with that transport allowed, and are counted per tunnel; ESP from an allowed
 * peer with an unknown SPI passes and is counted as such. New Main Mode first messages are
 * rate-limited per source. Other traffic follows the configured policy (default pass).
 * Malformed frames are dropped (rule in xgw_abi.h).
 */
#include "lib/allow.h"

SEC("xdp")
int xdp_wan(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 len = data_end - data;
	struct xgw_pkt p = {};
	struct xgw_decision d = {};
	struct xgw_config *cfg;
	__u32 zero = 0;

	xgw_classify(&p, data, data_end);
	xgw_count_global(XGW_GCTR_CLASS + p.cls, len);

	switch (p.cls) {
	case XGW_CLASS_MALFORMED:
		d.reason = XGW_DROP_MALFORMED;
		break;
	case XGW_CLASS_OTHER:
	case XGW_CLASS_OTHER_IPV4:
		cfg = bpf_map_lookup_elem(&xgw_config, &zero);
		if (cfg && (cfg->flags & (p.cls == XGW_CLASS_OTHER ? XGW_CFG_DROP_NON_IPV4
								    : XGW_CFG_DROP_OTHER_IPV4)))
			d.reason = XGW_DROP_POLICY;
		break;
	default:
		xgw_decide_vpn(&d, &p);
		if (d.reason == XGW_DROP_NONE) {
			if (d.kind == XGW_TCTR_IN_UNKNOWN_SPI)
				xgw_count_global(XGW_GCTR_EVENT + XGW_EV_UNKNOWN_SPI, len);
			if (p.mm1) {
				cfg = bpf_map_lookup_elem(&xgw_config, &zero);
				if (xgw_mm1_allow(p.saddr, cfg)) {
					xgw_count_global(XGW_GCTR_EVENT + XGW_EV_MM1, len);
				} else {
					d.reason = XGW_DROP_RATELIMIT;
					d.kind = XGW_TCTR_IN_DROPPED;
				}
			}
		}
		if (d.kind != XGW_TCTR_MAX)
			xgw_count_tunnel(d.tunnel, d.kind, len);
		break;
	}
	if (d.reason != XGW_DROP_NONE) {
		xgw_count_global(XGW_GCTR_DROP + d.reason, len);
		return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
