# Scenario: dp-steering
# timeout: 300
#
# Failover steering by mark: our TC program on the gateway's LAN ingress marks LAN traffic for
# the remote network with the active tunnel's mark (one BPF array entry per connection);
# `ip rule fwmark` sends each mark to a table whose default route is that tunnel's XFRM
# interface (xfrm_tool keys both tunnels; the peer is keyed with ip xfrm). A 100 pps ping
# runs while one map update (bpftool, on the pinned map) moves the connection from tunnel 1
# to tunnel 2: zero packets lost, tunnel 2's SA takes over. The forward path stays intact: the
# VPC host sees TTL 63 (decremented once by the gateway), and a 1500-byte ping with DF clear,
# and one with DF set (our program clears it), cross the 1438-byte tunnel MTU without a single
# fragmented ESP packet on the WAN (fragmented before encryption).
#
#   [dslan: 10.10.1.10] lan0 -- lan [dsgw: xgws1 if_id 1, xgws2 if_id 2, TC on lan] wan -- wan [dspeer: 192.0.2.2 / .3, 10.20.0.10 (lo)]
#                                    192.0.2.1

GW=192.0.2.1
T1=192.0.2.2
T2=192.0.2.3
VPC=10.20.0.10
ENC=0x000102030405060708090a0b0c0d0e0f
AUTH=0x101112131415161718191a1b1c1d1e1f20212223

gw_sa() {  # SRC DST SPI IF_ID
  in_ns dsgw xfrm_tool sa add --src "$1" --dst "$2" --spi "$3" --reqid "$4" --if-id "$4" \
    --enc "cbc(aes):$ENC" --auth "hmac(sha1):$AUTH"
}
peer_sa() {  # SRC DST SPI IF_ID
  in_ns dspeer ip xfrm state add src "$1" dst "$2" proto esp spi "$3" reqid "$4" mode tunnel \
    enc 'cbc(aes)' $ENC auth-trunc 'hmac(sha1)' $AUTH 96 if_id "$4"
}

scenario_setup() {
  must modules_load xfrm_user esp4 xfrm4_tunnel xfrm_interface veth nf_tables
  ns_add dslan
  ns_add dsgw
  ns_add dspeer
  must veth_link dslan lan0 10.10.1.10/24 dsgw lan 10.10.1.1/24
  must veth_link dsgw wan "$GW/24" dspeer wan "$T1/24"
  must in_ns dspeer ip addr add "$T2/24" dev wan
  must in_ns dslan ip route add default via 10.10.1.1
  must in_ns dsgw sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0

  # Gateway: two XFRM interfaces with the AWS MTU for AES-CBC/SHA1 without NAT-T, SAs and
  # policies per if_id, one routing table per mark. No route to the VPC in the main table.
  local t
  for t in 1 2; do
    must in_ns dsgw xfrm_tool link add --name xgws$t --if-id $t --dev wan --mtu 1438 --addr 169.254.6$t.2/30
    must in_ns dsgw sysctl -qw net.ipv4.conf.xgws$t.rp_filter=0
    must in_ns dsgw ip rule add fwmark 0x10$t lookup 10$t
    must in_ns dsgw ip route add default dev xgws$t table 10$t
  done
  must gw_sa $GW $T1 0x1001 1
  must gw_sa $T1 $GW 0x1002 1
  must gw_sa $GW $T2 0x2001 2
  must gw_sa $T2 $GW 0x2002 2
  must in_ns dsgw xfrm_tool policy add --dir out --tmpl-src $GW --tmpl-dst $T1 --reqid 1 --if-id 1
  must in_ns dsgw xfrm_tool policy add --dir in --tmpl-src $T1 --tmpl-dst $GW --reqid 1 --if-id 1
  must in_ns dsgw xfrm_tool policy add --dir fwd --tmpl-src $T1 --tmpl-dst $GW --reqid 1 --if-id 1
  must in_ns dsgw xfrm_tool policy add --dir out --tmpl-src $GW --tmpl-dst $T2 --reqid 2 --if-id 2
  must in_ns dsgw xfrm_tool policy add --dir in --tmpl-src $T2 --tmpl-dst $GW --reqid 2 --if-id 2
  must in_ns dsgw xfrm_tool policy add --dir fwd --tmpl-src $T2 --tmpl-dst $GW --reqid 2 --if-id 2

  # Peer: keyed with ip xfrm; replies always return through tunnel 1.
  for t in 1 2; do
    # The peer also fragments before encrypting (AWS's side does), so the WAN check below
    # holds in both directions.
    must in_ns dspeer ip link add pxs$t type xfrm dev wan if_id $t
    must in_ns dspeer ip link set pxs$t mtu 1438
    must in_ns dspeer ip link set pxs$t up
    must in_ns dspeer sysctl -qw net.ipv4.conf.pxs$t.rp_filter=0
  done
  must peer_sa $GW $T1 0x1001 1
  must peer_sa $T1 $GW 0x1002 1
  must peer_sa $GW $T2 0x2001 2
  must peer_sa $T2 $GW 0x2002 2
  must in_ns dspeer ip xfrm policy add dir out tmpl src $T1 dst $GW proto esp reqid 1 mode tunnel if_id 1
  must in_ns dspeer ip xfrm policy add dir in tmpl src $GW dst $T1 proto esp reqid 1 mode tunnel if_id 1
  must in_ns dspeer ip xfrm policy add dir out tmpl src $T2 dst $GW proto esp reqid 2 mode tunnel if_id 2
  must in_ns dspeer ip xfrm policy add dir in tmpl src $GW dst $T2 proto esp reqid 2 mode tunnel if_id 2
  must in_ns dspeer ip addr add $VPC/32 dev lo
  must in_ns dspeer ip route add 10.10.1.0/24 dev pxs1
  # The VPC host's view: TTL of the echo requests it receives.
  must in_ns dspeer nft -f - <<EOF
table inet vpc {
  counter ttl63 {}
  counter ttl_other {}
  chain input {
    type filter hook input priority 0;
    ip daddr $VPC icmp type echo-request ip ttl 63 counter name ttl63
    ip daddr $VPC icmp type echo-request ip ttl != 63 counter name ttl_other
  }
}
EOF

  # Our datapath: LAN steering, tunnel-side MSS clamp, WAN XDP.
  must dp_tool attach --netns /run/netns/dsgw --wan wan --lan lan --tun xgws1:1 --tun xgws2:2
  must dp_tool route 10.20.0.0/24 0
  must dp_tool tunnel 1 --mark 0x101 --mss 1379 --clear-df
  must dp_tool tunnel 2 --mark 0x102 --mss 1379 --clear-df
  must dp_tool peer $T1 1
  must dp_tool peer $T2 2
  must dp_tool spi $T1 0x1002 1 --encap esp   # inbound (XDP)
  must dp_tool spi $T1 0x1001 1 --encap esp   # outbound (TC egress)
  must dp_tool spi $T2 0x2002 2 --encap esp
  must dp_tool spi $T2 0x2001 2 --encap esp
  must dp_tool active 0 1
}

# dp_counter TUNNEL NAME: one per-tunnel datapath counter.
dp_counter() { dp_tool counters "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }

gw_out_packets() { xfrm_sa_packets dsgw $GW "$1"; }

scenario_checks() {
  check_eq "LAN to VPC through tunnel 1: 5 of 5" 5 \
    "$(in_ns dslan ping -n -c 5 -i 0.2 -W 2 $VPC | awk '/received/ {print $4}')"
  check_ge "tunnel 1's outbound SA carried them" "$(gw_out_packets $T1)" 5
  check_eq "tunnel 2 unused so far" 0 "$(gw_out_packets $T2)"

  # The flip: 100 pps for 4 s, one map update (bpftool on the pinned map) after 2 s.
  local t1_before t2_before log=/tmp/ds-ping.log
  t1_before=$(gw_out_packets $T1)
  t2_before=$(gw_out_packets $T2)
  local dp2_before; dp2_before=$(dp_counter 2 out_esp_packets)
  in_ns dslan ping -n -q -c 400 -i 0.01 -W 2 $VPC >"$log" 2>&1 &
  local ping_pid=$!
  sleep 2
  check "flip to tunnel 2 with one map update" \
    bpftool map update pinned /sys/fs/bpf/xgw/xgw_active key 0 0 0 0 value 2 0 0 0
  wait $ping_pid
  local sent received
  sent=$(awk '/transmitted/ {print $1}' "$log")
  received=$(awk '/received/ {print $4}' "$log")
  check_eq "100 pps ping across the flip: 400 sent" 400 "$sent"
  check_eq "zero lost across the flip" "$sent" "$received"
  check_ge "tunnel 2's outbound SA took over" $(( $(gw_out_packets $T2) - t2_before )) 50
  check_ge "tunnel 1 carried the first part" $(( $(gw_out_packets $T1) - t1_before )) 50
  check_ge "our TC egress counted tunnel 2's ESP by SPI" $(( $(dp_counter 2 out_esp_packets) - dp2_before )) 50
  check_ge "our XDP counted the replies on tunnel 1 by SPI" "$(dp_counter 1 in_esp_packets)" 400
  check "bpftool shows the switch on tunnel 2" \
    bash -c 'bpftool map dump pinned /sys/fs/bpf/xgw/xgw_active | grep -A2 "\"key\": 0" | grep_quiet "\"tunnel\": 2"'
  check_eq "dp_tool reads the active tunnel" 2 "$(dp_tool active 0)"
  figure "flip: ping sent/received" "$sent/$received"
  figure "tunnel 2 outbound packets after the flip" $(( $(gw_out_packets $T2) - t2_before ))

  # A router, not a redirect: TTL decremented exactly once.
  check_ge "VPC host saw TTL 63" "$(nft_counter dspeer inet vpc ttl63)" 400
  check_eq "VPC host saw no other TTL" 0 "$(nft_counter dspeer inet vpc ttl_other)"

  # Fragment before encryption: no fragmented ESP on the WAN.
  local cap=/tmp/ds-espfrag.pcap
  in_ns dsgw tcpdump -n -i wan -U -w $cap 'ip proto 50 and ip[6:2] & 0x3fff != 0' >/tmp/ds-tcpdump.log 2>&1 &
  local tcpdump_pid=$!
  sleep 1
  check_eq "1500-byte ping, DF clear: 3 of 3" 3 \
    "$(in_ns dslan ping -n -c 3 -i 0.3 -W 3 -s 1472 -M dont $VPC | awk '/received/ {print $4}')"
  check_eq "1500-byte ping, DF set by the host (cleared by the gateway): 3 of 3" 3 \
    "$(in_ns dslan ping -n -c 3 -i 0.3 -W 3 -s 1472 -M do $VPC | awk '/received/ {print $4}')"
  sleep 1
  kill $tcpdump_pid 2>/dev/null; wait $tcpdump_pid 2>/dev/null
  log "fragmented ESP seen on the WAN: $(tcpdump -n -r $cap 2>/dev/null | head -5)"
  check_eq "no fragmented ESP on the WAN" 0 "$(tcpdump -n -r $cap 2>/dev/null | wc -l)"
  check "the gateway cleared DF on steered packets" \
    bash -c 'dp_tool global | awk -F= "/^event_df_cleared=/ {exit !(\$2 >= 3)}"'
  figure "datapath events" "$(dp_tool global | grep '^event_' | tr '\n' ' ')"

  # TCP MSS clamped to the tunnel's value in both directions (SYN on LAN ingress, SYN-ACK on
  # the XFRM interface's ingress), so the peer sees 1379.
  local mss_before; mss_before=$(dp_tool global | awk -F= '/^event_mss_clamped=/ {print $2}')
  ns_daemon dspeer tcp-listener /tmp/ds-listener.log python3 -c 'import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.20.0.10", 8080)); s.listen(4)
while True:
    c, _ = s.accept(); c.close()'
  # The connection goes out through the active tunnel (2, after the flip) and its SYN-ACK
  # comes back through tunnel 1 (the peer's route).
  in_ns dspeer tcpdump -l -n -v -i pxs2 'tcp[tcpflags] & tcp-syn != 0' >/tmp/ds-syn.log 2>&1 &
  local syn_pid=$!
  in_ns dsgw tcpdump -l -n -v -i lan 'tcp[tcpflags] & tcp-syn != 0' >/tmp/ds-synack.log 2>&1 &
  local synack_pid=$!
  sleep 3
  check "a TCP connection from the LAN crosses the tunnel" in_ns dslan python3 -c 'import socket
s = socket.create_connection(("10.20.0.10", 8080), timeout=5); s.close()'
  sleep 2
  kill $syn_pid $synack_pid 2>/dev/null; wait $syn_pid $synack_pid 2>/dev/null
  daemon_stop tcp-listener
  log "tcpdump at the peer: $(head -c 600 /tmp/ds-syn.log)"
  log "tcpdump on the LAN: $(head -c 600 /tmp/ds-synack.log)"
  log "SYN at the peer: $(grep -o 'Flags \[S\].*mss [0-9]*' /tmp/ds-syn.log | head -2)"
  log "SYN-ACK towards the LAN: $(grep -o 'Flags \[S\.\].*mss [0-9]*' /tmp/ds-synack.log | head -2)"
  check "the peer saw the SYN's MSS clamped to 1379" bash -c "grep 'Flags \[S\]' /tmp/ds-syn.log | grep_quiet 'mss 1379'"
  check "the LAN saw the SYN-ACK's MSS clamped to 1379" bash -c "grep 'Flags \[S\.\]' /tmp/ds-synack.log | grep_quiet 'mss 1379'"
  check_ge "SYN and SYN-ACK clamped" $(( $(dp_tool global | awk -F= '/^event_mss_clamped=/ {print $2}') - mss_before )) 2

  # Every program also passes its test-run suites on this kernel's (6.1) verifier.
  check "XDP test-run suite on 6.1" bpf_xdp_wan_test
  check "TC test-run suite on 6.1" bpf_tc_test
  check "loader suite on 6.1" datapath_loader_test
}

scenario_teardown() {
  dp_tool detach --netns /run/netns/dsgw --wan wan --lan lan --tun xgws1 --tun xgws2 --unpin || true
  ip netns del dslan 2>/dev/null || true
  ip netns del dsgw 2>/dev/null || true
  ip netns del dspeer 2>/dev/null || true
}
