/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one ABI between xgw's BPF programs and its C++ control plane.
 *
 * Every map key and value, every enum the two sides exchange and every limit lives here,
 * written with <linux/types.h> types so the same header compiles under clang -target bpf
 * and g++. Layout is pinned with static assertions below: a change that moves a field
 * breaks the build on both sides instead of silently misreading a pinned map.
 * Bump XGW_ABI_LAYOUT_VERSION on any change to a struct or enum below.
 */
#ifndef XGW_ABI_H
#define XGW_ABI_H

#include <linux/types.h>

#ifdef __cplusplus
#define XGW_ABI_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define XGW_ABI_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#define XGW_ABI_LAYOUT_VERSION 1

/* Traffic classes seen on the WAN interface. Also the index of the global class counters. */
enum xgw_pkt_class {
	XGW_CLASS_IKE_500 = 0,      /* ISAKMP on UDP 500 */
	XGW_CLASS_IKE_4500 = 1,     /* ISAKMP on UDP 4500 behind the 4-byte non-ESP marker */
	XGW_CLASS_ESP_IN_UDP = 2,   /* ESP in UDP 4500 (RFC 3948), non-zero SPI */
	XGW_CLASS_NATT_KEEPALIVE = 3, /* one byte 0xFF on UDP 4500 (RFC 3948 section 2.3) */
	XGW_CLASS_ESP = 4,          /* IP protocol 50 */
	XGW_CLASS_OTHER_IPV4 = 5,   /* any other IPv4 packet */
	XGW_CLASS_OTHER = 6,        /* not IPv4 (ARP, IPv6, ...) */
	XGW_CLASS_MAX = 7,
};

/* A packet and byte counter; kept per CPU so the data path never needs atomics. */
struct xgw_counter {
	__u64 packets;
	__u64 bytes;
};

XGW_ABI_ASSERT(sizeof(struct xgw_counter) == 16, "xgw_counter layout");
XGW_ABI_ASSERT(__builtin_offsetof(struct xgw_counter, bytes) == 8, "xgw_counter.bytes offset");

#endif /* XGW_ABI_H */
