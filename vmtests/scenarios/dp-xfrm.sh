# Scenario: dp-xfrm
# timeout: 300
#
# Our XFRM module keys the gateway: build/bin/xfrm_tool (XfrmNetlink) installs a hand-keyed
# tunnel-mode SA pair bound to an XFRM interface (if_id 1) with its policies, while the peer
# is keyed independently with `ip xfrm` (policy-based), so both ends cannot share a mistake.
# For AES-128/SHA1-96, AES-256/SHA2-256-128, AES-256/SHA2-512-256 and rfc4106(gcm(aes)), in
# plain ESP and in ESP-in-UDP (both ends hold a UDP 4500 socket with UDP_ENCAP), a ping crosses
# the tunnel, both ends' SA counters prove it went through ESP, `ip -s xfrm state` shows the
# RFC 4868 ICV length and the 1024-packet replay window (ESN replay state), and our XDP program
# on the gateway's WAN counts the inbound ESP for the tunnel by SPI.
#
#   [dxgw: 10.1.0.1 (lo), xgwx1 if_id 1, XDP+TC on wan] wan 192.0.2.1 ---- 192.0.2.2 wan [dxpeer: 10.2.0.1 (lo)]

GW=192.0.2.1
PEER=192.0.2.2
ENCAP_PY='import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4500))
s.setsockopt(socket.IPPROTO_UDP, 100, 2)  # UDP_ENCAP = UDP_ENCAP_ESPINUDP
time.sleep(100000)'

scenario_setup() {
  must modules_load xfrm_user esp4 xfrm4_tunnel xfrm_interface veth
  ns_add dxgw
  ns_add dxpeer
  must veth_link dxgw wan "$GW/24" dxpeer wan "$PEER/24"
  must in_ns dxgw ip addr add 10.1.0.1/32 dev lo
  must in_ns dxpeer ip addr add 10.2.0.1/32 dev lo
  must in_ns dxpeer ip route add 10.1.0.0/24 dev wan src 10.2.0.1

  # Gateway: our code for the interface, its address and the policies.
  must in_ns dxgw xfrm_tool link add --name xgwx1 --if-id 1 --dev wan --mtu 1438 --addr 169.254.50.2/30
  must in_ns dxgw ip route add 10.2.0.0/24 dev xgwx1 src 10.1.0.1
  must in_ns dxgw xfrm_tool policy add --dir out --tmpl-src $GW --tmpl-dst $PEER --reqid 1 --if-id 1
  must in_ns dxgw xfrm_tool policy add --dir in --tmpl-src $PEER --tmpl-dst $GW --reqid 1 --if-id 1
  must in_ns dxgw xfrm_tool policy add --dir fwd --tmpl-src $PEER --tmpl-dst $GW --reqid 1 --if-id 1

  # Peer: plain ip xfrm, policy-based.
  must in_ns dxpeer ip xfrm policy add dir out src 10.2.0.0/24 dst 10.1.0.0/24 \
    tmpl src $PEER dst $GW proto esp reqid 1 mode tunnel
  must in_ns dxpeer ip xfrm policy add dir in src 10.1.0.0/24 dst 10.2.0.0/24 \
    tmpl src $GW dst $PEER proto esp reqid 1 mode tunnel

  # Both ends decapsulate ESP-in-UDP on port 4500.
  ns_daemon dxgw encap-gw /tmp/dx-encap-gw.log python3 -c "$ENCAP_PY"
  ns_daemon dxpeer encap-peer /tmp/dx-encap-peer.log python3 -c "$ENCAP_PY"

  # Our datapath on the gateway's WAN: XDP classifier + TC egress counters.
  must dp_tool attach --netns /run/netns/dxgw --wan wan
  must dp_tool peer $PEER 1
}

dp_counter() { dp_tool counters 1 | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }

# key BYTES SEED: a deterministic hex key.
key() {
  local i out=0x
  for (( i = 0; i < $1; i++ )); do out+=$(printf '%02x' $(( (i * 7 + $2) & 255 ))); done
  echo "$out"
}

# One suite: NAME MODE(esp|udp) SPI_OUT SPI_IN, then the algorithm in both syntaxes via globals.
run_suite() {
  local name=$1 mode=$2 out=$3 in=$4
  local gw_encap=() peer_encap=() spi_encap=esp xdp_kind=in_esp
  if [[ $mode == udp ]]; then
    gw_encap=(--encap 4500:4500)
    peer_encap=(encap espinudp 4500 4500 0.0.0.0)
    spi_encap=udp
    xdp_kind=in_esp_in_udp
  fi
  log "suite $name over $mode"
  check "$name/$mode: gateway SA out (xfrm_tool)" in_ns dxgw xfrm_tool sa add --src $GW --dst $PEER --spi "$out" \
    --reqid 1 --if-id 1 "${GW_ALG[@]}" "${gw_encap[@]}"
  check "$name/$mode: gateway SA in (xfrm_tool)" in_ns dxgw xfrm_tool sa add --src $PEER --dst $GW --spi "$in" \
    --reqid 1 --if-id 1 "${GW_ALG[@]}" "${gw_encap[@]}"
  check "$name/$mode: peer SA in (ip xfrm)" in_ns dxpeer ip xfrm state add src $GW dst $PEER proto esp spi "$out" \
    reqid 1 mode tunnel "${PEER_ALG[@]}" "${peer_encap[@]}"
  check "$name/$mode: peer SA out (ip xfrm)" in_ns dxpeer ip xfrm state add src $PEER dst $GW proto esp spi "$in" \
    reqid 1 mode tunnel "${PEER_ALG[@]}" "${peer_encap[@]}"
  check "$name/$mode: SPI entries" dp_tool spi $PEER "$in" 1 --encap $spi_encap
  check "$name/$mode: SPI entries (outbound)" dp_tool spi $PEER "$out" 1 --encap $spi_encap
  local xdp_before tc_before
  xdp_before=$(dp_counter "${xdp_kind}_packets")
  tc_before=$(dp_counter "${xdp_kind/in_/out_}_packets")

  check_eq "$name/$mode: 3 of 3 pings through the tunnel" 3 \
    "$(in_ns dxgw ping -n -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1 | awk '/received/ {print $4}')"
  check_ge "$name/$mode: gateway inbound SA counted the replies" \
    "$(in_ns dxgw xfrm_tool sa show --dst $GW --spi "$in" | awk '{print $2}')" 3
  check_ge "$name/$mode: peer inbound SA counted the requests" "$(xfrm_sa_packets dxpeer $GW $PEER)" 3
  check "$name/$mode: replay window 1024 in ip -s xfrm state" \
    bash -c "ip -n dxgw -s xfrm state list spi $in | grep_quiet 'replay_window 1024'"
  [[ -n ${ICV_LINE:-} ]] && check "$name/$mode: ICV length in ip xfrm state ($ICV_LINE)" \
    bash -c "ip -n dxgw xfrm state list spi $in | grep_quiet '$ICV_LINE'"
  check_ge "$name/$mode: XDP counted inbound ESP for tunnel 1 by SPI" $(( $(dp_counter "${xdp_kind}_packets") - xdp_before )) 3
  check_ge "$name/$mode: TC egress counted outbound ESP for tunnel 1 by SPI" \
    $(( $(dp_counter "${xdp_kind/in_/out_}_packets") - tc_before )) 3
  figure "$name/$mode gateway inbound SA packets" "$(in_ns dxgw xfrm_tool sa show --dst $GW --spi "$in")"

  in_ns dxgw xfrm_tool sa del --dst $PEER --spi "$out" || true
  in_ns dxgw xfrm_tool sa del --dst $GW --spi "$in" || true
  in_ns dxpeer ip xfrm state flush
}

scenario_checks() {
  local n=0 mode
  for mode in esp udp; do
    n=$((n + 1))
    GW_ALG=(--enc "cbc(aes):$(key 16 1)" --auth "hmac(sha1):$(key 20 2)")
    PEER_ALG=(enc 'cbc(aes)' "$(key 16 1)" auth-trunc 'hmac(sha1)' "$(key 20 2)" 96)
    ICV_LINE="auth-trunc hmac(sha1) $(key 20 2) 96"
    run_suite aes128-sha1 $mode 0x10${n}1 0x10${n}2

    GW_ALG=(--enc "cbc(aes):$(key 32 3)" --auth "hmac(sha256):$(key 32 4)")
    PEER_ALG=(enc 'cbc(aes)' "$(key 32 3)" auth-trunc 'hmac(sha256)' "$(key 32 4)" 128)
    ICV_LINE="auth-trunc hmac(sha256) $(key 32 4) 128"
    run_suite aes256-sha256 $mode 0x20${n}1 0x20${n}2

    GW_ALG=(--enc "cbc(aes):$(key 32 5)" --auth "hmac(sha512):$(key 64 6)")
    PEER_ALG=(enc 'cbc(aes)' "$(key 32 5)" auth-trunc 'hmac(sha512)' "$(key 64 6)" 256)
    ICV_LINE="auth-trunc hmac(sha512) $(key 64 6) 256"
    run_suite aes256-sha512 $mode 0x30${n}1 0x30${n}2

    GW_ALG=(--aead "rfc4106(gcm(aes)):$(key 20 7):128")
    PEER_ALG=(aead 'rfc4106(gcm(aes))' "$(key 20 7)" 128)
    ICV_LINE="aead rfc4106(gcm(aes)) $(key 20 7) 128"
    run_suite aes128gcm16 $mode 0x40${n}1 0x40${n}2
  done
  check "dp_tool reads the global counters" bash -c 'dp_tool global | grep_quiet "^class_esp="'
  figure "XDP global counters" "$(dp_tool global | tr '\n' ' ')"
}

scenario_teardown() {
  daemon_stop encap-gw
  daemon_stop encap-peer
  dp_tool detach --netns /run/netns/dxgw --wan wan --unpin || true
  ip netns del dxgw 2>/dev/null || true
  ip netns del dxpeer 2>/dev/null || true
}
