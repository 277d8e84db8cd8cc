/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Header parsing for the WAN programs (XDP ingress, TC egress).
 *
 * Contract: every parse_* helper takes a cursor at the start of its header and the end of the
 * packet data, returns a pointer to the header (NULL when it does not fit) and moves the
 * cursor past the header. xgw_classify() applies the single truncation rule documented in
 * xgw_abi.h (enum xgw_drop_reason): whatever a class needs but is cut short makes the packet
 * XGW_CLASS_MALFORMED. bpf/tests/reference_classifier.cpp is the C++ statement of the same
 * rules; the randomized differential test keeps the two identical.
 */
#ifndef XGW_BPF_PARSE_H
#define XGW_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xgw_abi.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif
#define XGW_IP_MF 0x2000
#define XGW_IP_OFFMASK 0x1FFF

struct hdr_cursor {
	void *pos;
};

struct xgw_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* What the classifier found. */
struct xgw_pkt {
	__u32 cls;     /* enum xgw_pkt_class */
	__u32 spi;     /* host order; ESP and ESP-in-UDP only */
	__be32 saddr;
	__be32 daddr;
	__u8 ip_proto;
	__u8 mm1;      /* IKE on 500 with responder cookie 0: a new Main Mode first message */
	__u8 vlan;
	__u8 ip_options;
};

static __always_inline struct ethhdr *parse_ethhdr(struct hdr_cursor *c, void *end)
{
	struct ethhdr *eth = c->pos;

	if ((void *)(eth + 1) > end)
		return NULL;
	c->pos = eth + 1;
	return eth;
}

static __always_inline struct xgw_vlan_hdr *parse_vlanhdr(struct hdr_cursor *c, void *end)
{
	struct xgw_vlan_hdr *v = c->pos;

	if ((void *)(v + 1) > end)
		return NULL;
	c->pos = v + 1;
	return v;
}

/* IPv4 header with options. Checks version, IHL, and that the total length fits the frame. */
static __always_inline struct iphdr *parse_iphdr(struct hdr_cursor *c, void *end)
{
	struct iphdr *iph = c->pos;
	__u32 hlen, tot;

	if ((void *)(iph + 1) > end)
		return NULL;
	if (iph->version != 4 || iph->ihl < 5)
		return NULL;
	hlen = iph->ihl * 4;
	tot = bpf_ntohs(iph->tot_len);
	/* The verifier of Linux 6.1 does not track the range of a byte swap and refuses packet
	 * pointer + unbounded scalar below. The empty asm hides the value from clang, so the
	 * mask survives optimisation and bounds it for the verifier. */
	asm volatile("" : "+r"(tot));
	tot &= 0xffff;
	if (tot < hlen || (void *)iph + tot > end)
		return NULL;
	if ((void *)iph + hlen > end)
		return NULL;
	c->pos = (void *)iph + hlen;
	return iph;
}

static __always_inline struct udphdr *parse_udphdr(struct hdr_cursor *c, void *end)
{
	struct udphdr *udp = c->pos;

	if ((void *)(udp + 1) > end)
		return NULL;
	c->pos = udp + 1;
	return udp;
}

/* UDP 4500 payload (RFC 3948): keepalive, non-ESP marker + IKE, or ESP with its SPI. */
static __always_inline __u32 classify_natt(struct xgw_pkt *p, void *payload, void *end, __u32 n)
{
	__u32 marker;

	if (n == 1) {
		if (payload + 1 > end)
			return XGW_CLASS_MALFORMED;
		return *(__u8 *)payload == 0xFF ? XGW_CLASS_NATT_KEEPALIVE : XGW_CLASS_MALFORMED;
	}
	if (n < XGW_NON_ESP_MARKER_LEN || payload + XGW_NON_ESP_MARKER_LEN > end)
		return XGW_CLASS_MALFORMED;
	marker = *(__u32 *)payload;
	if (marker == 0)
		return n < XGW_NON_ESP_MARKER_LEN + XGW_ISAKMP_HDR_LEN ? XGW_CLASS_MALFORMED
								    : XGW_CLASS_IKE_4500;
	if (n < XGW_ESP_HDR_LEN)
		return XGW_CLASS_MALFORMED;
	p->spi = bpf_ntohl(marker);
	return XGW_CLASS_ESP_IN_UDP;
}

static __always_inline __u32 classify_udp(struct xgw_pkt *p, struct hdr_cursor *c, void *end,
					  __u32 l4len, int first_fragment)
{
	struct udphdr *udp = parse_udphdr(c, end);
	__u32 ulen, n, avail;
	__u16 dport;

	if (!udp || l4len < sizeof(*udp))
		return XGW_CLASS_MALFORMED;
	ulen = bpf_ntohs(udp->len);
	/* A first fragment carries the length of the whole datagram. */
	if (ulen < sizeof(*udp) || (!first_fragment && ulen > l4len))
		return XGW_CLASS_MALFORMED;
	dport = bpf_ntohs(udp->dest);
	if (dport != XGW_PORT_IKE && dport != XGW_PORT_NATT)
		return XGW_CLASS_OTHER_IPV4;
	n = ulen - sizeof(*udp);
	avail = l4len - sizeof(*udp);
	if (n > avail)
		n = avail;
	if (dport == XGW_PORT_NATT)
		return classify_natt(p, c->pos, end, n);
	/* ISAKMP: responder cookie at bytes 8..15 of the header. */
	if (n < XGW_ISAKMP_HDR_LEN || c->pos + XGW_ISAKMP_HDR_LEN > end)
		return XGW_CLASS_MALFORMED;
	p->mm1 = *(__u64 *)(c->pos + 8) == 0;
	return XGW_CLASS_IKE_500;
}

/* Classifies one Ethernet frame; fills p and returns p->cls. Reads no map. */
static __always_inline __u32 xgw_classify(struct xgw_pkt *p, void *data, void *end)
{
	struct hdr_cursor c = { .pos = data };
	struct ethhdr *eth;
	struct iphdr *iph;
	__u16 proto, frag;
	__u32 l4len;

	eth = parse_ethhdr(&c, end);
	if (!eth)
		return p->cls = XGW_CLASS_MALFORMED;
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		struct xgw_vlan_hdr *v = parse_vlanhdr(&c, end);

		if (!v)
			return p->cls = XGW_CLASS_MALFORMED;
		proto = v->proto;
		p->vlan = 1;
	}
	if (proto != bpf_htons(ETH_P_IP))
		return p->cls = XGW_CLASS_OTHER;
	iph = parse_iphdr(&c, end);
	if (!iph)
		return p->cls = XGW_CLASS_MALFORMED;
	p->saddr = iph->saddr;
	p->daddr = iph->daddr;
	p->ip_proto = iph->protocol;
	p->ip_options = iph->ihl > 5;
	l4len = bpf_ntohs(iph->tot_len) - iph->ihl * 4;
	frag = bpf_ntohs(iph->frag_off);
	if (frag & XGW_IP_OFFMASK) {
		/* Non-first fragment: no ports, no SPI; judged by protocol and source. */
		if (iph->protocol == IPPROTO_UDP || iph->protocol == IPPROTO_ESP)
			return p->cls = XGW_CLASS_FRAGMENT;
		return p->cls = XGW_CLASS_OTHER_IPV4;
	}
	if (iph->protocol == IPPROTO_ESP) {
		if (l4len < XGW_ESP_HDR_LEN || c.pos + XGW_ESP_HDR_LEN > end)
			return p->cls = XGW_CLASS_MALFORMED;
		p->spi = bpf_ntohl(*(__u32 *)c.pos);
		return p->cls = XGW_CLASS_ESP;
	}
	if (iph->protocol == IPPROTO_UDP)
		return p->cls = classify_udp(p, &c, end, l4len, (frag & XGW_IP_MF) != 0);
	return p->cls = XGW_CLASS_OTHER_IPV4;
}

#endif /* XGW_BPF_PARSE_H */
