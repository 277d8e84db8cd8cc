# Scenario: bench-ike
# timeout: 1500
#
# IKE set-up speed and memory, gwd against strongSwan as the initiator, both facing the same
# strongSwan responder (AWS's side, one charon with every endpoint address) in the same run:
#   - time from the initiator's start until the responder has installed every child SA
#     (the responder's kernel SA count is the oracle for both), for 1 connection (2 tunnels)
#     and 50 connections (100 tunnels: also as tunnels per second);
#   - resident memory of the initiator once its tunnels are up: 2 tunnels (1 connection) and
#     200 tunnels (100 connections).
# Each round starts from nothing: a fresh responder, no SA on either side.
#
#   [cgw: gwd | charon] ---- [inet] ---- [awsbulk: charon, 203.0.113.2-201]

source "$XGW_ROOT/bench/vm/lib/common.sh"
source "$XGW_ROOT/bench/vm/lib/bulk.sh"
BENCH_CONNECTIONS=(1 50 100)

scenario_setup() {
  must modules_load xfrm_user esp4 xfrm4_tunnel xfrm_interface veth nf_tables
  # The kernel instantiates the ESP algorithms at the first SA that uses them (seconds under
  # emulation): one throwaway SA first, so no round pays it.
  ip xfrm state add src 10.255.0.1 dst 10.255.0.2 proto esp spi 0x100 mode tunnel \
    enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f \
    auth-trunc 'hmac(sha1)' 0x000102030405060708090a0b0c0d0e0f10111213 96
  ip xfrm state delete src 10.255.0.1 dst 10.255.0.2 proto esp spi 0x100
  inet_up
  customer_up
  bulk_net_up $(( 2 * BENCH_CONNECTIONS[-1] ))
}

# bulk_round GATEWAY CONNECTIONS: one measurement, gwd or strongswan as the initiator.
bulk_round() {
  local gw=$1 n=$2 tunnels=$(( 2 * $2 )) t0 t1 pid up=0
  must bulk_responder_start "$tunnels"
  if [[ $gw == gwd ]]; then
    must bulk_gwd_config "$n"
    t0=$(now_ms)
    # 200 interfaces and the BPF verifier under emulation take about 10 s before the socket.
    GWD_START_WAIT=60 must gwd_start
    pid=$(daemon_pid gwd)
  else
    bulk_strongswan_conf cgw
    bulk_swanctl initiator "$tunnels" > /etc/netns/cgw/swanctl/swanctl.conf
    t0=$(now_ms)
    # strongSwan route-based needs the XFRM interfaces gwd makes itself: made here, timed.
    bulk_interfaces cgw "$tunnels" 2 wan0
    must sw_start cgw
    pid=$(charon_pid cgw)
  fi
  local deadline=$(( t0 + 300000 ))
  while (( $(now_ms) < deadline )); do
    up=$(bulk_established)
    (( up >= tunnels )) && break
    sleep 0.1
  done
  t1=$(now_ms)
  check_eq "$gw, $n connection(s): the responder installed every tunnel" "$tunnels" "$up"
  # Memory once settled: the first DPD round and the kernel's replies are in.
  sleep 2
  bench_value "ike.$gw.c$n.up_ms" $(( t1 - t0 ))
  bench_value "ike.$gw.c$n.tunnels_per_s" "$(awk -v n="$tunnels" -v ms=$(( t1 - t0 )) 'BEGIN {printf "%.1f", n * 1000 / ms}')"
  bench_value "mem.$gw.t$tunnels.rss_kb" "$(proc_rss_kb "$pid")"
  log "$gw, $n connection(s): $(( t1 - t0 )) ms, RSS $(proc_rss_kb "$pid") KiB, UDP receive buffer drops on the gateway so far: $(udp_rcvbuf_errors cgw)"
  bulk_reset
}

# UDP datagrams a namespace dropped for a full socket receive buffer (since it was made).
udp_rcvbuf_errors() {
  in_ns "$1" cat /proc/net/snmp | awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }'
}

scenario_checks() {
  local n
  for n in "${BENCH_CONNECTIONS[@]}"; do
    bulk_round gwd "$n"
    bulk_round strongswan "$n"
  done
}

scenario_teardown() { bulk_reset; }
