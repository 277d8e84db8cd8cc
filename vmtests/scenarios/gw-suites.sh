# Scenario: gw-suites
# timeout: 420
#
# gwd against endpoints that each allow one of AWS's non-default suites: connection s1
# aes256-sha256-modp2048 (ESP the same), s2 ecp256 with ESP aes128gcm16, both directly; then
# the customer side is rebuilt behind a NAT and s3 aes256-sha512-modp4096 comes up through it.
# The kernel SAs carry the RFC 4868 ICV lengths, the 16-byte GCM ICV and a 1024-packet replay
# window. (`ip -s xfrm state` prints that window in the ESN context line, "replay_window 1024":
# the legacy replay-window field of xfrm_usersa_info is 8 bits wide and reads 0.)
#
#   [lan] ---- [cgw: gwd] ---- ([nat]) ---- [inet] ---- [aws1..aws6] ---- [vpc1 | vpc2 | vpc3]

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/suites.conf"
  customer_up
  must gwd_write_config --match-proposals
  # Phase A: s1 and s2 only (s3 comes through the NAT later).
  must drop_connection s3
  must gwd_start
}

scenario_checks() {
  local t
  for t in s1/1 s1/2 s2/1 s2/2; do wait_until 90 "gwd: tunnel $t phase 2 up" gwd_tunnel_up "$t"; done
  check "s1: ESP auth-trunc hmac(sha256) with a 128-bit ICV" sa_has aws1 "auth-trunc hmac\(sha256\) 0x[0-9a-f]+ \(256 bits\) 128"
  check "s1: ESP cbc(aes) with a 256-bit key" sa_has aws1 "enc cbc\(aes\) 0x[0-9a-f]+ \(256 bits\)"
  check "s2: ESP rfc4106(gcm(aes)) with a 128-bit ICV" sa_has aws3 "aead rfc4106\(gcm\(aes\)\) 0x[0-9a-f]+ \(160 bits\) 128"
  check "gwd's SAs show replay-window 1024" cgw_replay_1024
  check_eq "LAN to VPC s1: 5 of 5" 5 "$(ping_lan_to_vpc s1 5)"
  check_eq "LAN to VPC s2: 5 of 5" 5 "$(ping_lan_to_vpc s2 5)"
  # gwd's footprint with 2 connections (4 tunnels) up; the target is 30 MB.
  local rss_kb; rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$(daemon_pid gwd)/status")
  figure "gwd RSS with 2 connections, 4 tunnels up (MB)" "$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}')"
  check_le "gwd RSS at most 30 MB (KiB)" "$rss_kb" $((30 * 1024))

  # Phase B: behind a NAT, s3.
  gwd_stop
  customer_down
  customer_up --nat
  gwd_write_config --match-proposals
  drop_connection s1
  drop_connection s2
  check "gwd starts behind the NAT" gwd_start
  for t in s3/1 s3/2; do wait_until 120 "gwd: tunnel $t phase 2 up (through NAT)" gwd_tunnel_up "$t"; done
  check "s3: ESP auth-trunc hmac(sha512) with a 256-bit ICV" sa_has aws5 "auth-trunc hmac\(sha512\) 0x[0-9a-f]+ \(512 bits\) 256"
  check "s3: SAs are UDP-encapsulated" sa_has aws5 "encap type espinudp"
  check "gwd's SAs show replay-window 1024" cgw_replay_1024
  check_eq "LAN to VPC s3 through NAT: 5 of 5" 5 "$(ping_lan_to_vpc s3 5)"
}

# drop_connection NAME: removes a [[connection]] (and its tunnels) from gwd's config.
drop_connection() {
  awk -v n="$1" '
    /^\[\[connection\]\]/ { buf = $0 "\n"; inconn = 1; skip = 0; next }
    inconn && /^name = / { skip = ($0 == "name = \"" n "\""); printf "%s", (skip ? "" : buf); inconn = 0 }
    inconn { buf = buf $0 "\n"; next }
    /^\[\[connection\.tunnel\]\]/ && skip { next }
    !skip { print }
  ' "$GWD_CONF" > "$GWD_CONF.new" && mv "$GWD_CONF.new" "$GWD_CONF" && chmod 600 "$GWD_CONF"
}
sa_has() { ip -n "$1" -s xfrm state | grep_quiet -E "$2"; }
cgw_replay_1024() {
  local n total
  total=$(ip -n cgw xfrm state | grep -c '^src')
  n=$(ip -n cgw -s xfrm state | grep -c 'replay_window 1024')
  (( total > 0 && n == total )) || { echo "$n of $total SAs show replay_window 1024"; ip -n cgw -s xfrm state | grep -i replay; return 1; }
}

scenario_teardown() {
  gwd_stop
  aws_down
}
