/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one ABI between xgw's BPF programs and its C++ control plane.
 *
 * Every map key and value, every enum the two sides exchange and every limit lives here,
 * written with <linux/types.h> types so the same header compiles under clang -target bpf
 * and g++. Layout is pinned with static assertions below: a change that moves a field
 * breaks the build on both sides instead of silently misreading a pinned map.
 * Bump XGW_ABI_LAYOUT_VERSION on any change to a struct, enum, map name or map size below.
 *
 * Maps (names are the pin file names under /sys/fs/bpf/xgw/):
 *
 *   xgw_config      ARRAY[1]          u32 -> xgw_config      layout version + runtime knobs
 *   xgw_peers       HASH              xgw_peer_key -> xgw_peer          WAN allow-list
 *   xgw_peer_bloom  ARRAY             u32 word -> u64 bits              allow-list pre-filter
 *   xgw_spi         HASH              xgw_spi_key -> xgw_spi_info       (peer, SPI) -> tunnel
 *   xgw_tun_ctr     PERCPU_ARRAY      u32 tunnel -> xgw_tunnel_counters per-tunnel counters
 *   xgw_global_ctr  PERCPU_ARRAY      u32 index  -> xgw_counter         classes, drops, events
 *   xgw_mm1_rl      LRU_HASH          __be32 source -> xgw_ratelimit    MM1 token buckets
 *   xgw_routes      LPM_TRIE          xgw_route_key -> xgw_route        remote networks
 *   xgw_active      ARRAY             u32 connection -> xgw_active      the steering switch
 *   xgw_tun_params  ARRAY             u32 tunnel -> xgw_tunnel_params   mark, MSS, DF policy
 *   xgw_tun_ifaces  HASH              u32 ifindex -> u32 tunnel         XFRM interface owner
 *
 * Byte counters count the bytes the program sees (XDP: the whole frame, L2 header included;
 * TC: skb->len).
 */
#ifndef XGW_ABI_H
#define XGW_ABI_H

#include <linux/types.h>

#ifdef __cplusplus
#define XGW_ABI_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define XGW_ABI_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* Layout version 2: full classifier, allow-list, steering. The loader compares this with the
 * first field of the pinned xgw_config value and replaces an older program with
 * bpf_link_update instead of misreading its maps. */
#define XGW_ABI_LAYOUT_VERSION 3

/* Limits. At least 1,000 tunnels (500 VPN connections with two tunnels each), with room. */
#define XGW_MAX_TUNNELS 2048
#define XGW_MAX_CONNECTIONS 1024
#define XGW_MAX_PEERS 2048
/* Inbound and outbound SPI per tunnel, doubled during rekeys, twice over for headroom. */
#define XGW_MAX_SPIS 16384
#define XGW_MAX_ROUTES 8192
#define XGW_MAX_RL_SOURCES 4096

/*
 * Allow-list pre-filter: one bit per hash of a peer address, XGW_PEER_BLOOM_BITS bits in
 * u64 words. A clear bit proves the source is not a peer, so floods from non-peers are dropped
 * without a hash lookup. The controller sets a peer's bit before adding the peer and clears it
 * (when no other peer shares it) after removing the peer; xgw_spi entries exist only for
 * addresses on the allow-list.
 */
#define XGW_PEER_BLOOM_BITS 65536u
#define XGW_PEER_BLOOM_WORDS (XGW_PEER_BLOOM_BITS / 64)

static __inline __u32 xgw_peer_bloom_hash(__be32 addr)
{
	return ((__u32)addr * 2654435761u) >> 16; /* Fibonacci hashing, 16 bits */
}

/* Ports and wire constants shared by the classifier and its C++ reference. */
#define XGW_PORT_IKE 500
#define XGW_PORT_NATT 4500
#define XGW_ISAKMP_HDR_LEN 28
#define XGW_ESP_HDR_LEN 8 /* SPI + sequence number */
#define XGW_NON_ESP_MARKER_LEN 4

/* Traffic classes seen on the WAN interface. Also indices XGW_GCTR_CLASS + class. */
enum xgw_pkt_class {
	XGW_CLASS_IKE_500 = 0,        /* ISAKMP on UDP 500 */
	XGW_CLASS_IKE_4500 = 1,       /* ISAKMP on UDP 4500 behind the 4-byte non-ESP marker */
	XGW_CLASS_ESP_IN_UDP = 2,     /* ESP in UDP 4500 (RFC 3948), non-zero SPI */
	XGW_CLASS_NATT_KEEPALIVE = 3, /* one byte 0xFF on UDP 4500 (RFC 3948 section 2.3) */
	XGW_CLASS_ESP = 4,            /* IP protocol 50 */
	XGW_CLASS_OTHER_IPV4 = 5,     /* any other IPv4 packet */
	XGW_CLASS_OTHER = 6,          /* not IPv4 (ARP, IPv6, ...) */
	XGW_CLASS_FRAGMENT = 7,       /* non-first IPv4 fragment of UDP or ESP: no ports, no SPI */
	XGW_CLASS_MALFORMED = 8,      /* truncated or malformed header (see xgw_drop_reason) */
	XGW_CLASS_MAX = 9,
};

/*
 * Why a packet was dropped. Also indices XGW_GCTR_DROP + reason.
 *
 * The one rule for truncated or malformed headers: a frame is parsed only as deep as its
 * class needs; if a header on that path is cut short or inconsistent (Ethernet or VLAN header
 * shorter than 14/18 bytes; IPv4 version != 4, IHL < 5, total length shorter than the header
 * or longer than the frame; UDP length < 8 or beyond the IP payload; UDP 500 payload shorter
 * than the ISAKMP header; UDP 4500 payload that is neither the 1-byte keepalive nor at least
 * a 4-byte marker + ISAKMP header nor an 8-byte ESP header; ESP shorter than 8 bytes), the
 * packet is classed XGW_CLASS_MALFORMED, counted under XGW_DROP_MALFORMED and dropped, from
 * any source. The kernel stack would discard all of these itself.
 */
enum xgw_drop_reason {
	XGW_DROP_NONE = 0,
	XGW_DROP_NOT_PEER = 1,    /* IKE, NAT-T or ESP from a source not on the allow-list */
	XGW_DROP_NOT_ALLOWED = 2, /* from a peer, but that peer is not allowed this transport */
	XGW_DROP_RATELIMIT = 3,   /* new Main Mode first message over the per-source rate */
	XGW_DROP_MALFORMED = 4,   /* truncated or malformed header, see above */
	XGW_DROP_FRAGMENT = 5,    /* non-first fragment of UDP/ESP not from an allowed peer */
	XGW_DROP_POLICY = 6,      /* non-VPN traffic dropped by configuration */
	XGW_DROP_MAX = 7,
};

/* Events that are counted but do not change the verdict. Indices XGW_GCTR_EVENT + event. */
enum xgw_event {
	XGW_EV_UNKNOWN_SPI = 0, /* ESP / ESP-in-UDP from an allowed peer with no SPI entry: passed */
	XGW_EV_MM1 = 1,         /* new Main Mode first message (responder cookie 0) passed */
	XGW_EV_VLAN = 2,        /* frame carried one VLAN tag */
	XGW_EV_IP_OPTIONS = 3,  /* IPv4 header with options */
	XGW_EV_STEERED = 4,     /* LAN packet marked for a tunnel (TC LAN ingress) */
	XGW_EV_DF_CLEARED = 5,  /* DF bit cleared on a steered packet */
	XGW_EV_MSS_CLAMPED = 6, /* MSS option of a SYN lowered */
	XGW_EV_OUT_UNKNOWN_SPI = 7, /* WAN egress ESP with no SPI entry */
	XGW_EV_MAX = 8,
};

/* Layout of xgw_global_ctr: classes, then drop reasons, then events. (Macros, not an enum,
 * so C++ can add enumerators of the enums above without enum-enum arithmetic.) */
#define XGW_GCTR_CLASS 0u
#define XGW_GCTR_DROP (XGW_GCTR_CLASS + (__u32)XGW_CLASS_MAX)
#define XGW_GCTR_EVENT (XGW_GCTR_DROP + (__u32)XGW_DROP_MAX)
#define XGW_GCTR_MAX (XGW_GCTR_EVENT + (__u32)XGW_EV_MAX)

/* A packet and byte counter; kept per CPU so the data path never needs atomics. */
struct xgw_counter {
	__u64 packets;
	__u64 bytes;
};

/* Per-tunnel counters, one xgw_counter per kind. */
enum xgw_tunnel_counter {
	XGW_TCTR_IN_IKE_500 = 0,
	XGW_TCTR_IN_IKE_4500 = 1,
	XGW_TCTR_IN_ESP = 2,         /* inbound ESP with a known SPI */
	XGW_TCTR_IN_ESP_IN_UDP = 3,  /* inbound ESP-in-UDP with a known SPI */
	XGW_TCTR_IN_KEEPALIVE = 4,
	XGW_TCTR_IN_UNKNOWN_SPI = 5, /* inbound ESP / ESP-in-UDP, unknown SPI, passed */
	XGW_TCTR_IN_FRAGMENT = 6,
	XGW_TCTR_IN_DROPPED = 7,     /* dropped although from this tunnel's peer */
	XGW_TCTR_OUT_ESP = 8,        /* WAN egress ESP */
	XGW_TCTR_OUT_ESP_IN_UDP = 9, /* WAN egress ESP-in-UDP */
	XGW_TCTR_MAX = 10,
};

struct xgw_tunnel_counters {
	struct xgw_counter c[XGW_TCTR_MAX];
};

/* xgw_config flags. */
#define XGW_CFG_DROP_OTHER_IPV4 (1u << 0) /* non-VPN IPv4 policy: drop (default pass) */
#define XGW_CFG_DROP_NON_IPV4 (1u << 1)   /* non-IPv4 (ARP!) policy: drop (default pass) */

/* Value of xgw_config[0]. layout_version stays the first field in every future layout. */
struct xgw_config {
	__u32 layout_version;
	__u32 flags;
	__u32 mm1_rate_pps;  /* new Main Mode first messages per second per source; 0 = no limit */
	__u32 mm1_burst;     /* bucket depth */
};

/* Allow-list entry flags. */
#define XGW_PEER_UDP500 (1u << 0)
#define XGW_PEER_UDP4500 (1u << 1) /* NAT-T IKE, ESP-in-UDP and keepalives */
#define XGW_PEER_ESP (1u << 2)

struct xgw_peer_key {
	__be32 addr; /* peer's outside IPv4 address, network order */
};

struct xgw_peer {
	__u32 allow;  /* XGW_PEER_* */
	__u32 tunnel; /* index into xgw_tun_ctr for this peer's IKE/keepalive/unknown-SPI counts */
};

/* (peer, SPI) -> tunnel. The peer is the source for inbound SPIs (XDP) and the destination for
 * outbound SPIs (TC egress); the SPI is in host order. */
struct xgw_spi_key {
	__be32 peer;
	__u32 spi;
};

#define XGW_SPI_ESP (1u << 0)    /* SA carried in IP protocol 50 */
#define XGW_SPI_UDP (1u << 1)    /* SA carried in UDP 4500 (NAT-T) */

struct xgw_spi_info {
	__u32 tunnel;
	__u32 encap; /* XGW_SPI_*: which transports this SPI may arrive on; others are "unknown" */
};

struct xgw_ratelimit {
	__u64 last_ns;   /* time the bucket was last refilled */
	__u64 tokens_x1000; /* tokens, in thousandths so slow rates refill smoothly */
};

/* Remote networks: LPM key in the kernel's bpf_lpm_trie_key layout. */
struct xgw_route_key {
	__u32 prefixlen;
	__be32 addr;
};

struct xgw_route {
	__u32 connection; /* index into xgw_active */
};

/* The steering switch. One 4-byte store flips a connection to its other tunnel. */
struct xgw_active {
	__u32 tunnel; /* index into xgw_tun_params */
};

#define XGW_TUN_CLEAR_DF (1u << 0) /* clear DF on inner IPv4 so the kernel fragments pre-ESP */

struct xgw_tunnel_params {
	__u32 mark;  /* skb->mark for `ip rule fwmark`; 0 = tunnel not usable, packet untouched */
	__u16 mss;   /* TCP MSS clamp for SYNs; 0 = no clamp */
	__u16 flags; /* XGW_TUN_* */
};

XGW_ABI_ASSERT(sizeof(struct xgw_counter) == 16, "xgw_counter layout");
XGW_ABI_ASSERT(__builtin_offsetof(struct xgw_counter, bytes) == 8, "xgw_counter.bytes offset");
XGW_ABI_ASSERT(sizeof(struct xgw_tunnel_counters) == 16 * XGW_TCTR_MAX, "tunnel counters");
XGW_ABI_ASSERT(sizeof(struct xgw_config) == 16, "xgw_config layout");
XGW_ABI_ASSERT(__builtin_offsetof(struct xgw_config, layout_version) == 0,
	       "layout_version must stay first");
XGW_ABI_ASSERT(sizeof(struct xgw_peer_key) == 4, "xgw_peer_key layout");
XGW_ABI_ASSERT(sizeof(struct xgw_peer) == 8, "xgw_peer layout");
XGW_ABI_ASSERT(sizeof(struct xgw_spi_key) == 8, "xgw_spi_key layout");
XGW_ABI_ASSERT(__builtin_offsetof(struct xgw_spi_key, spi) == 4, "xgw_spi_key.spi offset");
XGW_ABI_ASSERT(sizeof(struct xgw_spi_info) == 8, "xgw_spi_info layout");
XGW_ABI_ASSERT(sizeof(struct xgw_ratelimit) == 16, "xgw_ratelimit layout");
XGW_ABI_ASSERT(sizeof(struct xgw_route_key) == 8, "xgw_route_key layout");
XGW_ABI_ASSERT(sizeof(struct xgw_route) == 4, "xgw_route layout");
XGW_ABI_ASSERT(sizeof(struct xgw_active) == 4, "xgw_active layout");
XGW_ABI_ASSERT(sizeof(struct xgw_tunnel_params) == 8, "xgw_tunnel_params layout");
XGW_ABI_ASSERT(__builtin_offsetof(struct xgw_tunnel_params, mss) == 4, "tunnel_params.mss");
XGW_ABI_ASSERT(XGW_GCTR_MAX == 24, "global counter layout");

#endif /* XGW_ABI_H */
