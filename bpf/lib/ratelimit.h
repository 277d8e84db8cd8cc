/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Per-source token bucket for new Main Mode first messages (UDP 500, responder cookie 0).
 * Nothing else is ever rate-limited: IKE with a responder cookie, everything on 4500 and DPD
 * from an allowed peer always pass. Buckets live in an LRU hash; concurrent updates from two
 * CPUs may lose a token update, which only makes the limit slightly more generous.
 */
#ifndef XGW_BPF_RATELIMIT_H
#define XGW_BPF_RATELIMIT_H

#include "maps.h"

#define XGW_RL_MAX_ELAPSED_NS 1000000000000ULL /* 1000 s: keeps rate * elapsed in 64 bits */

/* Returns 1 when the message may pass, 0 when it is over the rate. */
static __always_inline int xgw_mm1_allow(__be32 saddr, const struct xgw_config *cfg)
{
	__u64 now, elapsed, tokens, cap;
	struct xgw_ratelimit *rl;

	if (!cfg || cfg->mm1_rate_pps == 0)
		return 1;
	now = bpf_ktime_get_ns();
	cap = (__u64)cfg->mm1_burst * 1000;
	rl = bpf_map_lookup_elem(&xgw_mm1_rl, &saddr);
	if (!rl) {
		struct xgw_ratelimit fresh = { .last_ns = now, .tokens_x1000 = 0 };

		if (cap < 1000)
			return 0;
		fresh.tokens_x1000 = cap - 1000;
		bpf_map_update_elem(&xgw_mm1_rl, &saddr, &fresh, BPF_ANY);
		return 1;
	}
	elapsed = now - rl->last_ns;
	if (elapsed > XGW_RL_MAX_ELAPSED_NS)
		elapsed = XGW_RL_MAX_ELAPSED_NS;
	tokens = rl->tokens_x1000 + elapsed * cfg->mm1_rate_pps / 1000000;
	if (tokens > cap)
		tokens = cap;
	rl->last_ns = now;
	if (tokens < 1000) {
		rl->tokens_x1000 = tokens;
		return 0;
	}
	rl->tokens_x1000 = tokens - 1000;
	return 1;
}

#endif /* XGW_BPF_RATELIMIT_H */
