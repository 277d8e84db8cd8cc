// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * TC egress on the WAN interface: counts outbound ESP and ESP-in-UDP per tunnel, looked up by
 * (destination peer, SPI) in the same xgw_spi map the XDP program uses. Never drops.
 */
#include <linux/pkt_cls.h>

#include "lib/counters.h"
#include "lib/parse.h"

SEC("tc")
int tc_wan_egress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct xgw_pkt p = {};
	struct xgw_spi_key sk;
	struct xgw_spi_info *si;

	xgw_classify(&p, data, data_end);
	if (p.cls != XGW_CLASS_ESP && p.cls != XGW_CLASS_ESP_IN_UDP)
		return TC_ACT_OK;
	sk.peer = p.daddr;
	sk.spi = p.spi;
	si = bpf_map_lookup_elem(&xgw_spi, &sk);
	if (!si) {
		xgw_count_global(XGW_GCTR_EVENT + XGW_EV_OUT_UNKNOWN_SPI, skb->len);
		return TC_ACT_OK;
	}
	xgw_count_tunnel(si->tunnel,
			 p.cls == XGW_CLASS_ESP ? XGW_TCTR_OUT_ESP : XGW_TCTR_OUT_ESP_IN_UDP, skb->len);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
