# Scenario: gw-hostile
# timeout: 360
#
# Hostile traffic at the gateway's WAN address while both tunnels carry the LAN's traffic
# (vmtests/guest/attack.py, from the internet namespace, 20 s): Main Mode first messages
# from addresses that are not AWS peers (500/s) and from an allowed peer's address (50/s,
# new cookies each: half-open SAs), truncated and garbage ISAKMP, NAT-T garbage and unknown
# ESP-in-UDP SPIs, ESP with unknown SPIs, IP fragments of UDP 500. Checked against the same
# 20 s without the attack in the same run: the tunnels stay up on the same SPIs, gwd keeps
# exchanging DPD with the peer, LAN loss no worse than without the
# attack + 1 %, gwd's memory growth at most 5 MiB; then the same attack at strongSwan as the
# gateway (same tunnels): gwd's CPU at most a fifth of charon's. Figures printed.
#
#   [lan] ---- [cgw: gwd] ---- [inet: attacker] ---- [aws1, aws2] ---- [vpc]

PEER=203.0.113.21
ATTACK_S=20
PROBE_PPS=50

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  customer_up
  # DPD every 2 s: the peer's answers during the attack show IKE still gets through.
  cgw_gwd_up "dpd_interval = 2"
}

scenario_checks() {
  wait_until 60 "gwd: tunnel vpn1/1 up" gwd_tunnel_up vpn1/1
  wait_until 60 "gwd: tunnel vpn1/2 up" gwd_tunnel_up vpn1/2
  wait_until 20 "aws1 and aws2 report their tunnels established" aws_both_up
  check_eq "LAN to VPC: 5 of 5" 5 "$(ping_lan_to_vpc vpn1 5)"
  local spis1 spis2 pid
  spis1=$(gwd_spis vpn1/1) spis2=$(gwd_spis vpn1/2) pid=$(daemon_pid gwd)

  # The same LAN probe without, then with the attack.
  probe_start base vpn1 "$PROBE_PPS" "$ATTACK_S"
  probe_wait base
  local base_lost; base_lost=$(probe_lost base)
  figure "LAN packets lost in ${ATTACK_S} s without the attack (${PROBE_PPS}/s)" "$base_lost"

  local rss0 cpu0 cpu1 rss1 acks
  rss0=$(rss_kb "$pid") cpu0=$(cpu_ticks "$pid")
  dpd_watch_start aws1
  probe_start attack vpn1 "$PROBE_PPS" "$ATTACK_S"
  attack "$ATTACK_S" > /run/xgw-test/attack-gwd.out
  probe_wait attack
  cpu1=$(cpu_ticks "$pid") rss1=$(rss_kb "$pid")
  acks=$(dpd_watch_stop)
  log "attack sent: $(tr '\n' ' ' < /run/xgw-test/attack-gwd.out)"
  local lost; lost=$(probe_lost attack)
  local gwd_ms=$(( (cpu1 - cpu0) * 1000 / $(getconf CLK_TCK) ))
  figure "LAN packets lost in ${ATTACK_S} s under the attack (${PROBE_PPS}/s)" "$lost"
  figure "gwd CPU during the attack (ms in ${ATTACK_S} s)" "$gwd_ms"
  figure "gwd RSS growth during the attack (KiB)" "$((rss1 - rss0))"
  figure "DPD answers from aws1 during the attack" "$acks"
  figure "datapath drops (not_peer / ratelimit / malformed / fragment)" "$(datapath_drops)"
  check_eq "vpn1/1 kept its SPIs" "$spis1" "$(gwd_spis vpn1/1)"
  check_eq "vpn1/2 kept its SPIs" "$spis2" "$(gwd_spis vpn1/2)"
  check "both tunnels still up" gwd_both_up
  check_le "LAN loss no worse than without the attack + 1 %" "$lost" $(( base_lost + PROBE_PPS * ATTACK_S / 100 ))
  check_le "gwd memory growth at most 5 MiB" "$((rss1 - rss0))" 5120
  check_ge "the peer kept answering gwd's DPD (every 2 s) during the attack" "$acks" 5
  check_ge "XDP rate-limited the Main Mode flood from the peer's address" \
    "$(gwctl_json stats | jq '.datapath.drops.ratelimit.packets')" 500
  check_eq "LAN to VPC after the attack: 5 of 5" 5 "$(ping_lan_to_vpc vpn1 5)"

  # The reference: strongSwan as the gateway, same tunnels, same attack.
  gwd_stop
  cgw_strongswan_up
  local t
  for t in vpn1-1 vpn1-2; do must sw_initiate cgw "$t"; done
  local charon; charon=$(cat /run/ns-cgw/charon.pid)
  cpu0=$(cpu_ticks "$charon")
  attack "$ATTACK_S" > /run/xgw-test/attack-charon.out
  cpu1=$(cpu_ticks "$charon")
  local charon_ms=$(( (cpu1 - cpu0) * 1000 / $(getconf CLK_TCK) ))
  figure "strongSwan (charon) CPU under the same attack (ms in ${ATTACK_S} s)" "$charon_ms"
  figure "gwd CPU / charon CPU (%)" "$(awk -v g="$gwd_ms" -v c="$charon_ms" 'BEGIN {printf "%.1f", c ? 100 * g / c : 0}')"
  check_le "gwd's CPU at most a fifth of charon's" $(( gwd_ms * 5 )) "$charon_ms"
}

attack() {
  in_ns inet python3 "$XGW_ROOT/vmtests/guest/attack.py" --target "$CGW_PUBLIC" --peer "$PEER" --duration "$1"
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
datapath_drops() {
  gwctl_json stats | jq -r '.datapath.drops | "\(.not_peer.packets) / \(.ratelimit.packets) / \(.malformed.packets) / \(.fragment.packets)"'
}
# What the endpoint itself sends on UDP 500: the answers to gwd's R-U-THERE (an AWS endpoint
# never initiates), seen at the endpoint so the attacker's spoofed packets are not counted.
dpd_watch_start() {
  nsenter --net="/run/netns/$1" tcpdump -n -l -i wan "src host $PEER and udp port 500" \
    > /run/xgw-test/dpd-watch.out 2>/dev/null &
  echo $! > /run/xgw-test/dpd-watch.pid
  sleep 1
}
dpd_watch_stop() {
  kill "$(cat /run/xgw-test/dpd-watch.pid)" 2>/dev/null; sleep 0.5
  grep -c 'inf' /run/xgw-test/dpd-watch.out || true
}

scenario_teardown() {
  gwd_stop
  sw_stop cgw
  aws_down
}
