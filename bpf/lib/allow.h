/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The WAN allow-list decision: given a classified packet, pass or drop it and say why.
 * Non-peers are dropped after one array read (the bloom pre-filter, no hash lookup). ESP with
 * a known (peer, SPI) then needs one hash lookup; only unknown SPIs, IKE, keepalives and
 * fragments look up the peer itself.
 */
#ifndef XGW_BPF_ALLOW_H
#define XGW_BPF_ALLOW_H

#include "counters.h"
#include "parse.h"
#include "ratelimit.h"

/* Verdict: XGW_DROP_NONE to pass, otherwise the drop reason. *tunnel and *kind name the
 * per-tunnel counter to bump (kind XGW_TCTR_MAX: none). */
struct xgw_decision {
	__u32 reason;
	__u32 tunnel;
	__u32 kind;
};

static __always_inline __u32 xgw_peer_need(const struct xgw_pkt *p)
{
	switch (p->cls) {
	case XGW_CLASS_IKE_500:
		return XGW_PEER_UDP500;
	case XGW_CLASS_ESP:
		return XGW_PEER_ESP;
	case XGW_CLASS_FRAGMENT:
		return p->ip_proto == IPPROTO_ESP ? XGW_PEER_ESP : XGW_PEER_UDP500 | XGW_PEER_UDP4500;
	default:
		return XGW_PEER_UDP4500;
	}
}

static __always_inline __u32 xgw_known_kind(__u32 cls)
{
	switch (cls) {
	case XGW_CLASS_IKE_500:
		return XGW_TCTR_IN_IKE_500;
	case XGW_CLASS_IKE_4500:
		return XGW_TCTR_IN_IKE_4500;
	case XGW_CLASS_NATT_KEEPALIVE:
		return XGW_TCTR_IN_KEEPALIVE;
	case XGW_CLASS_FRAGMENT:
		return XGW_TCTR_IN_FRAGMENT;
	default:
		return XGW_TCTR_IN_UNKNOWN_SPI;
	}
}

static __always_inline int xgw_maybe_peer(__be32 saddr)
{
	__u32 h = xgw_peer_bloom_hash(saddr), word = h / 64;
	__u64 *bits = bpf_map_lookup_elem(&xgw_peer_bloom, &word);

	return bits && (*bits >> (h % 64)) & 1;
}

/* VPN classes only (IKE, NAT-T, ESP, fragments of UDP/ESP). */
static __always_inline void xgw_decide_vpn(struct xgw_decision *d, const struct xgw_pkt *p)
{
	struct xgw_peer_key pk = { .addr = p->saddr };
	struct xgw_peer *peer;

	d->kind = XGW_TCTR_MAX;
	if (!xgw_maybe_peer(p->saddr)) {
		d->reason = p->cls == XGW_CLASS_FRAGMENT ? XGW_DROP_FRAGMENT : XGW_DROP_NOT_PEER;
		return;
	}
	if (p->cls == XGW_CLASS_ESP || p->cls == XGW_CLASS_ESP_IN_UDP) {
		struct xgw_spi_key sk = { .peer = p->saddr, .spi = p->spi };
		struct xgw_spi_info *si = bpf_map_lookup_elem(&xgw_spi, &sk);
		__u32 encap = p->cls == XGW_CLASS_ESP ? XGW_SPI_ESP : XGW_SPI_UDP;

		if (si && (si->encap & encap)) {
			d->reason = XGW_DROP_NONE;
			d->tunnel = si->tunnel;
			d->kind = p->cls == XGW_CLASS_ESP ? XGW_TCTR_IN_ESP : XGW_TCTR_IN_ESP_IN_UDP;
			return;
		}
	}
	peer = bpf_map_lookup_elem(&xgw_peers, &pk);
	if (!peer) {
		d->reason = p->cls == XGW_CLASS_FRAGMENT ? XGW_DROP_FRAGMENT : XGW_DROP_NOT_PEER;
		return;
	}
	d->tunnel = peer->tunnel;
	if (!(peer->allow & xgw_peer_need(p))) {
		d->reason = p->cls == XGW_CLASS_FRAGMENT ? XGW_DROP_FRAGMENT : XGW_DROP_NOT_ALLOWED;
		d->kind = XGW_TCTR_IN_DROPPED;
		return;
	}
	d->reason = XGW_DROP_NONE;
	d->kind = xgw_known_kind(p->cls);
}

#endif /* XGW_BPF_ALLOW_H */
