# Scenario: gw-on-demand
# timeout: 300
#
# An on-demand connection (vmtests/aws/on-demand.conf: on_demand, idle_timeout 20 s): gwd
# installs the policies and waits; nothing is negotiated until LAN traffic meets them (the
# kernel's acquire), as AWS documents ("the tunnel comes up when traffic is generated from
# the customer side"). The first packets are lost while both tunnels negotiate: counted and
# printed; none after. 20 s without traffic take the tunnels down; traffic brings them back.
#
#   [lan] ---- [cgw: gwd, on demand] ---- [inet] ---- [aws1, aws2] ---- [vpc]

scenario_setup() {
  # The kernel instantiates the ESP algorithms (modprobe for each crypto template) at the
  # first SA that uses them, which blocks that netlink request for seconds under emulation;
  # a gateway that ran before has them. One throwaway SA here, so the figure is gwd's.
  ip xfrm state add src 10.255.0.1 dst 10.255.0.2 proto esp spi 0x100 mode tunnel \
    enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f \
    auth-trunc 'hmac(sha1)' 0x000102030405060708090a0b0c0d0e0f10111213 96
  ip xfrm state delete src 10.255.0.1 dst 10.255.0.2 proto esp spi 0x100
  aws_up "$XGW_ROOT/vmtests/aws/on-demand.conf"
  customer_up
  cgw_gwd_up
}

scenario_checks() {
  sleep 5
  check "gwd: od/1 stays down without traffic" gwd_tunnel_down od/1
  check "gwd: od/2 stays down without traffic" gwd_tunnel_down od/2
  check "aws1 saw no Main Mode" bash -c "! grep -q 'is initiating a Main Mode' '$(sw_log aws1)'"
  check_eq "gwd's policies are installed (3 per tunnel)" 6 "$(in_ns cgw ip xfrm policy list | grep -c 'if_id 0x')"

  local t0; t0=$(now_ms)
  probe_start first od 10 20
  wait_until 20 "traffic brought od/1 up" gwd_tunnel_up od/1
  figure "first LAN packet to phase 2 up (ms)" "$(( $(now_ms) - t0 ))"
  wait_until 20 "traffic brought od/2 up too (AWS: both tunnels)" gwd_tunnel_up od/2
  check "gwd logged why" grep -q "connection od: bringing its tunnels up (traffic to" /run/xgw-test/gwd.log
  probe_wait first
  local lost last_lost
  lost=$(probe_lost first)
  figure "packets lost before the on-demand tunnel was up (10/s)" "$lost"
  check_le "at most 10 s of packets lost while negotiating (sanity bound)" "$lost" 100
  # Loss only at the start: every lost sequence number is one of the first $lost.
  last_lost=$(probe_lost_seqs first | tail -1)
  check_le "no packet lost once the tunnel was up" "${last_lost:-0}" "$lost"

  # Idle: the liveness probe's own packets do not count as traffic.
  local t1; t1=$(now_ms)
  wait_until 45 "20 s without traffic take od/1 down" gwd_tunnel_down od/1
  figure "last packet to idle teardown (ms, idle_timeout 20 s, checked every 2 s)" "$(( $(now_ms) - t1 ))"
  wait_until 10 "od/2 down too" gwd_tunnel_down od/2
  check "gwd logged the idle teardown" grep -q "connection od: idle for 20 s" /run/xgw-test/gwd.log
  wait_until 20 "aws1 has no ESP SA left" output_is 0 xfrm_sa_count aws1

  probe_start again od 10 15
  wait_until 20 "traffic brings od/1 up again" gwd_tunnel_up od/1
  probe_wait again
  figure "packets lost bringing it up the second time (10/s)" "$(probe_lost again)"
  check_le "at most 10 s of packets lost the second time (sanity bound)" "$(probe_lost again)" 100
  check_eq "LAN to VPC: 5 of 5" 5 "$(ping_lan_to_vpc od 5)"
}

scenario_teardown() {
  gwd_stop
  aws_down
}
