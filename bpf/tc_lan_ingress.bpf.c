// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Steering programs.
 *
 * tc_lan_ingress (clsact ingress of the LAN interface): an IPv4 packet whose destination lies
 * in a connection's remote networks (LPM xgw_routes) gets skb->mark of that connection's
 * active tunnel (xgw_active -> xgw_tun_params); `ip rule fwmark N` routes it into the tunnel's
 * XFRM interface, so the forward path (TTL, netfilter, fragmentation before ESP) stays intact.
 * Failover is one 4-byte update of xgw_active. DF is cleared and the MSS of SYNs clamped when
 * the tunnel asks for it. ARP, traffic for the gateway itself and LAN-local traffic do not
 * match a remote network and pass untouched.
 *
 * tc_tun_ingress (clsact ingress of each XFRM interface): clamps the MSS of SYNs coming out of
 * the tunnel towards the LAN to the tunnel's value (xgw_tun_ifaces: ifindex -> tunnel).
 */
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include "lib/steer.h"

/*
 * Offset of the IPv4 header from skb->data on an XFRM interface's ingress. It is not 0: after
 * tunnel-mode decapsulation the kernel rebuilds the outer MAC header in front of the inner
 * packet and TC pushes mac_len bytes, so a packet that arrived over Ethernet shows a 14-byte
 * header here (and test runs feed Ethernet frames too). Found by comparing the bytes at 0 and
 * at ETH_HLEN with the IPv4 header read relative to the network header.
 */
static __always_inline int tun_l3_offset(struct __sk_buff *skb, __u32 *l3)
{
	__u32 net[5], at[5];
	__u32 off;
	int i, same;

	if (bpf_skb_load_bytes_relative(skb, 0, net, sizeof(net), BPF_HDR_START_NET))
		return -1;
#pragma unroll
	for (off = 0; off <= ETH_HLEN; off += ETH_HLEN) {
		if (bpf_skb_load_bytes(skb, off, at, sizeof(at)))
			continue;
		same = 1;
#pragma unroll
		for (i = 0; i < 5; i++)
			same &= net[i] == at[i];
		if (same) {
			*l3 = off;
			return 0;
		}
	}
	return -1;
}

SEC("tc")
int tc_lan_ingress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct xgw_route_key rk = { .prefixlen = 32 };
	struct xgw_tunnel_params *tp;
	struct xgw_active *act;
	struct xgw_route *rt;
	__u32 tunnel;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	rk.addr = iph->daddr;
	rt = bpf_map_lookup_elem(&xgw_routes, &rk);
	if (!rt)
		return TC_ACT_OK;
	act = bpf_map_lookup_elem(&xgw_active, &rt->connection);
	if (!act)
		return TC_ACT_OK;
	tunnel = act->tunnel;
	tp = bpf_map_lookup_elem(&xgw_tun_params, &tunnel);
	if (!tp || tp->mark == 0)
		return TC_ACT_OK;
	skb->mark = tp->mark;
	xgw_count_global(XGW_GCTR_EVENT + XGW_EV_STEERED, skb->len);
	if (tp->mss || (tp->flags & XGW_TUN_CLEAR_DF))
		xgw_fix_inner(skb, ETH_HLEN, tp, 1);
	return TC_ACT_OK;
}

SEC("tc")
int tc_tun_ingress(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex, *tunnel, l3;
	struct xgw_tunnel_params *tp;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	tunnel = bpf_map_lookup_elem(&xgw_tun_ifaces, &ifindex);
	if (!tunnel)
		return TC_ACT_OK;
	tp = bpf_map_lookup_elem(&xgw_tun_params, tunnel);
	if (!tp || !tp->mss)
		return TC_ACT_OK;
	if (tun_l3_offset(skb, &l3))
		return TC_ACT_OK;
	xgw_fix_inner(skb, l3, tp, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
