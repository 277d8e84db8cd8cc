/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Inner-packet fixes for traffic entering or leaving a tunnel (AWS's packet rules):
 * clear DF so the kernel fragments before encrypting, clamp the MSS of TCP SYNs.
 * Both keep the IPv4 and TCP checksums correct with the kernel's incremental helpers.
 * Works on any skb: `l3` is the offset of the IPv4 header from skb->data.
 */
#ifndef XGW_BPF_STEER_H
#define XGW_BPF_STEER_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "counters.h"

#define XGW_IP_DF 0x4000
#define XGW_TCP_OPT_MAX 40
#define XGW_TCPOPT_EOL 0
#define XGW_TCPOPT_NOP 1
#define XGW_TCPOPT_MSS 2

/* Clears DF; returns 1 when it changed the packet. */
static __always_inline int xgw_clear_df(struct __sk_buff *skb, __u32 l3, const struct iphdr *iph)
{
	__be16 old = iph->frag_off, new;

	if (!(old & bpf_htons(XGW_IP_DF)))
		return 0;
	new = old & ~bpf_htons(XGW_IP_DF);
	if (bpf_l3_csum_replace(skb, l3 + offsetof(struct iphdr, check), old, new, sizeof(new)))
		return 0;
	if (bpf_skb_store_bytes(skb, l3 + offsetof(struct iphdr, frag_off), &new, sizeof(new), 0))
		return 0;
	return 1;
}

/* Lowers the MSS option of a TCP SYN (or SYN-ACK) to mss; returns 1 when it did. */
static __always_inline int xgw_clamp_mss(struct __sk_buff *skb, __u32 l4, __u16 mss)
{
	__u8 opts[XGW_TCP_OPT_MAX + 4] = {};
	struct tcphdr th;
	__u32 optlen;
	int n, next = 0;

	if (bpf_skb_load_bytes(skb, l4, &th, sizeof(th)))
		return 0;
	if (!th.syn)
		return 0;
	optlen = th.doff * 4;
	if (optlen <= sizeof(th))
		return 0;
	optlen -= sizeof(th);
	if (optlen > XGW_TCP_OPT_MAX)
		return 0;
	if (bpf_skb_load_bytes(skb, l4 + sizeof(th), opts, optlen))
		return 0;
	/* Walk the options with constant indices (the loop is unrolled): `next` is where the
	 * next option starts; every other position is skipped. */
#pragma unroll
	for (n = 0; n < XGW_TCP_OPT_MAX; n++) {
		__u8 kind, len;

		if (n != next)
			continue;
		if ((__u32)n >= optlen)
			break;
		kind = opts[n];
		if (kind == XGW_TCPOPT_EOL)
			break;
		if (kind == XGW_TCPOPT_NOP) {
			next = n + 1;
			continue;
		}
		if ((__u32)n + 1 >= optlen)
			break;
		len = opts[n + 1];
		if (len < 2)
			break;
		if (kind == XGW_TCPOPT_MSS && len == 4 && (__u32)n + 3 < optlen) {
			__u16 cur = (__u16)opts[n + 2] << 8 | opts[n + 3];
			__be16 old_be = bpf_htons(cur), new_be = bpf_htons(mss);
			__u32 off = l4 + sizeof(th) + n + 2;

			if (cur <= mss)
				return 0;
			if (bpf_l4_csum_replace(skb, l4 + offsetof(struct tcphdr, check), old_be,
						new_be, sizeof(new_be)))
				return 0;
			if (bpf_skb_store_bytes(skb, off, &new_be, sizeof(new_be), 0))
				return 0;
			return 1;
		}
		next = n + len;
	}
	return 0;
}

/* DF and MSS fixes for one IPv4 packet at offset l3 under a tunnel's parameters. */
static __always_inline void xgw_fix_inner(struct __sk_buff *skb, __u32 l3,
					  const struct xgw_tunnel_params *tp, int clear_df)
{
	struct iphdr iph;

	if (bpf_skb_load_bytes(skb, l3, &iph, sizeof(iph)))
		return;
	if (clear_df && (tp->flags & XGW_TUN_CLEAR_DF) && xgw_clear_df(skb, l3, &iph))
		xgw_count_global(XGW_GCTR_EVENT + XGW_EV_DF_CLEARED, skb->len);
	if (tp->mss && iph.protocol == IPPROTO_TCP && iph.ihl >= 5 &&
	    !(iph.frag_off & bpf_htons(0x1FFF)) &&
	    xgw_clamp_mss(skb, l3 + iph.ihl * 4, tp->mss))
		xgw_count_global(XGW_GCTR_EVENT + XGW_EV_MSS_CLAMPED, skb->len);
}

#endif /* XGW_BPF_STEER_H */
