# Scenario: observability
# timeout: 300
#
# What an operator sees while traffic flows: gwd's Prometheus endpoint returns the counters
# of both tunnels; `gwctl stats` agrees with the kernel's own XFRM counters (`ip -s xfrm
# state`) within 1 %, its datapath counters too; and tshark decrypts a capture of the
# tunnel's IKE and ESP with the keys `gwd --keylog` wrote.
#
#   [lan] ---- [cgw: gwd --keylog, capture on wan0] ---- [inet] ---- [aws1, aws2] ---- [vpc]

CAPTURE=/run/xgw-test/wan0.pcap
KEYLOG=/run/xgw-test/keylog

scenario_setup() {
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  customer_up
  # From before the first Main Mode message: tshark needs the whole exchange.
  mkdir -p /run/xgw-test
  nsenter --net=/run/netns/cgw tcpdump -n -U -i wan0 -w "$CAPTURE" 'udp port 500 or udp port 4500 or esp' \
    >/run/xgw-test/tcpdump.log 2>&1 &
  echo $! > /run/xgw-test/tcpdump.pid
  sleep 1
  must gwd_write_config
  must gwd_start --keylog "$KEYLOG"
}

scenario_checks() {
  wait_until 60 "gwd: vpn1/1 phase 2 up" gwd_tunnel_up vpn1/1
  wait_until 60 "gwd: vpn1/2 phase 2 up" gwd_tunnel_up vpn1/2
  check_eq "LAN to VPC: 200 of 200" 200 "$(ping_lan_to_vpc vpn1 200 0.01)"

  # Prometheus, while the liveness probes flow through both tunnels.
  local m
  m=$(in_ns cgw curl -sf http://127.0.0.1:9720/metrics)
  check "metrics: vpn1/1 phase 2 up" grep -q '^xgw_tunnel_up{connection="vpn1",tunnel="vpn1/1",phase="2"} 1$' <<<"$m"
  check "metrics: vpn1/2 phase 2 up" grep -q '^xgw_tunnel_up{connection="vpn1",tunnel="vpn1/2",phase="2"} 1$' <<<"$m"
  check "metrics: vpn1/1 is active" grep -q '^xgw_tunnel_active{connection="vpn1",tunnel="vpn1/1"} 1$' <<<"$m"
  local t
  for t in vpn1/1 vpn1/2; do
    check_ge "metrics: $t inbound SA packets" "$(metric "$m" xgw_tunnel_sa_packets "tunnel=\"$t\",direction=\"in\"")" 1
    check_ge "metrics: $t outbound SA packets" "$(metric "$m" xgw_tunnel_sa_packets "tunnel=\"$t\",direction=\"out\"")" 1
    check_ge "metrics: $t datapath inbound ESP" "$(metric "$m" xgw_datapath_tunnel_packets_total "tunnel=\"$t\",kind=\"in_esp\"")" 1
  done
  check_ge "metrics: vpn1/1 carried the 200 pings" \
    "$(metric "$m" xgw_tunnel_sa_packets 'tunnel="vpn1/1",direction="out"')" 200
  check "metrics: a 404 for another path" bash -c \
    "nsenter --net=/run/netns/cgw curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9720/ | grep -q 404"

  # gwctl stats against the kernel's counters, read back to back (the probes keep flowing).
  local s xin xout
  s=$(gwctl_json stats)
  xin=$(xfrm_sa_packets cgw 203.0.113.21 "$CGW_PUBLIC")
  xout=$(xfrm_sa_packets cgw "$CGW_PUBLIC" 203.0.113.21)
  local sin sout dpin dpout
  sin=$(jq '.tunnels[] | select(.name == "vpn1/1") | .xfrm.in.packets' <<<"$s")
  sout=$(jq '.tunnels[] | select(.name == "vpn1/1") | .xfrm.out.packets' <<<"$s")
  dpin=$(jq '.tunnels[] | select(.name == "vpn1/1") | .datapath.in_esp.packets' <<<"$s")
  dpout=$(jq '.tunnels[] | select(.name == "vpn1/1") | .datapath.out_esp.packets' <<<"$s")
  figure "vpn1/1 packets in: gwctl stats SA / datapath / ip xfrm" "$sin / $dpin / $xin"
  figure "vpn1/1 packets out: gwctl stats SA / datapath / ip xfrm" "$sout / $dpout / $xout"
  check "stats: SA inbound within 1 % of ip xfrm" within_pct "$sin" "$xin" 1
  check "stats: SA outbound within 1 % of ip xfrm" within_pct "$sout" "$xout" 1
  check "stats: datapath inbound ESP within 1 % of ip xfrm" within_pct "$dpin" "$xin" 1
  check "stats: datapath outbound ESP within 1 % of ip xfrm" within_pct "$dpout" "$xout" 1
  local table; table=$(gwctl stats --socket "$GWD_SOCK")
  log "gwctl stats:"$'\n'"$table"
  check "gwctl stats prints a row per tunnel" test "$(grep -cE '^vpn1/[12] ' <<<"$table")" -eq 2

  keylog_checks
  log_checks
  secrets_checks
}

# The pre-shared key as a canary: it is in gwd's config and nowhere it could leak from: the
# log, gwctl's outputs, the metrics, the keylog (SA keys only), gwd's argv and environment
# (gwd starts no children), and a core dump (gwd is not dumpable: killed with SIGSEGV it
# leaves no core, whatever core_pattern says).
secrets_checks() {
  local canary=${TF[vpn1/1.psk]} pid where=""
  pid=$(daemon_pid gwd)
  check "the canary is in gwd's config" grep -qF "$canary" "$GWD_CONF"
  local out
  out=$(gwctl_json status; gwctl_json stats; gwctl log --socket "$GWD_SOCK" -n 2000; gwctl status --socket "$GWD_SOCK"
        gwctl stats --socket "$GWD_SOCK"; in_ns cgw curl -sf http://127.0.0.1:9720/metrics)
  grep -qF "$canary" <<<"$out" && where+=" gwctl-outputs/metrics"
  grep -qF "$canary" /run/xgw-test/gwd.log && where+=" gwd.log"
  grep -qF "$canary" "$KEYLOG.ikev1_decryption_table" "$KEYLOG.esp_sa" && where+=" keylog"
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "$canary" && where+=" argv"
  tr '\0' '\n' < "/proc/$pid/environ" | grep -qF "$canary" && where+=" environment"
  check_eq "the PSK appears in no log, output, metric, keylog, argv or environment" "" "${where# }"
  # The control: a dumpable process killed the same way does leave a core here.
  echo "/run/xgw-test/core.%e.%p" > /proc/sys/kernel/core_pattern
  local ctl
  ctl=$(bash -c 'ulimit -c unlimited; sleep 30 >/dev/null 2>&1 & echo $!')
  kill -SEGV "$ctl"
  poll 10 bash -c "ls /run/xgw-test/core.sleep.$ctl >/dev/null 2>&1"
  check "control: a dumpable process leaves a core" test -s "/run/xgw-test/core.sleep.$ctl"
  kill -SEGV "$pid"
  poll 10 bash -c "! kill -0 $pid 2>/dev/null"
  local cores; cores=$(ls /run/xgw-test/core.gwd.* 2>/dev/null | wc -l)
  figure "core files left by gwd killed with SIGSEGV" "$cores"
  check_eq "gwd leaves no core" 0 "$cores"
  check "no core file carries the PSK" bash -c "! grep -qlF '$canary' /run/xgw-test/core.* 2>/dev/null"
}

# gwctl log: the newest lines, and --follow printing a line as it happens.
log_checks() {
  check "gwctl log shows gwd's recent lines" \
    bash -c "gwctl log --socket $GWD_SOCK -n 500 | grep -q 'tunnel vpn1/1: phase 2 up'"
  local f=/run/xgw-test/follow.out
  timeout 6 gwctl log --socket "$GWD_SOCK" -n 0 -f > "$f" 2>&1 &
  local pid=$!
  sleep 1.5
  gwctl failover --socket "$GWD_SOCK" vpn1 >/dev/null
  wait "$pid" || true
  register_log follow "$f"
  check "gwctl log -f printed the operator's failover as it happened" \
    grep -q "connection vpn1: failover -> vpn1/2 (operator request)" "$f"
}

# metric TEXT NAME LABELS: the value of the sample whose labels contain LABELS.
metric() { awk -v n="$2" -v l="$3" 'index($0, n "{") == 1 && index($0, l) {print $NF; exit}' <<<"$1"; }

# within_pct A B PCT: |A - B| <= PCT % of B (and both present).
within_pct() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN {d = a - b; if (d < 0) d = -d; exit !(a != "" && b > 0 && d * 100 <= p * b)}'; }

# The capture decrypted with the keylog: Main Mode 5/6 and the Quick Modes show their
# payloads, and the ESP packets the LAN pings inside.
keylog_checks() {
  kill "$(cat /run/xgw-test/tcpdump.pid)" 2>/dev/null
  sleep 1
  check_eq "keylog files are private" "600 600" \
    "$(stat -c %a "$KEYLOG.ikev1_decryption_table" "$KEYLOG.esp_sa" | tr '\n' ' ' | sed 's/ $//')"
  check_ge "keylog: one ISAKMP SA per tunnel" "$(wc -l < "$KEYLOG.ikev1_decryption_table")" 2
  check_ge "keylog: both directions of both tunnels' ESP SAs" "$(wc -l < "$KEYLOG.esp_sa")" 4
  local ws=/run/xgw-test/wireshark
  mkdir -p "$ws"
  cp "$KEYLOG.ikev1_decryption_table" "$ws/ikev1_decryption_table"
  cp "$KEYLOG.esp_sa" "$ws/esp_sa"
  local plain decrypted
  plain=$(tshark -r "$CAPTURE" -Y 'isakmp.exchangetype == 2 and isakmp.hash' 2>/dev/null | wc -l)
  decrypted=$(WIRESHARK_CONFIG_DIR=$ws tshark -r "$CAPTURE" -Y 'isakmp.exchangetype == 2 and isakmp.hash' 2>/dev/null | wc -l)
  figure "Main Mode messages with a visible HASH payload: without / with the keylog" "$plain / $decrypted"
  check_eq "without keys tshark sees no Main Mode HASH" 0 "$plain"
  check_ge "with the keylog tshark decrypts MM5 and MM6 of both tunnels" "$decrypted" 4
  check_ge "with the keylog tshark decrypts the Quick Modes (HASH, SA, Nonce)" \
    "$(WIRESHARK_CONFIG_DIR=$ws tshark -r "$CAPTURE" -Y 'isakmp.exchangetype == 32 and isakmp.nonce' 2>/dev/null | wc -l)" 4
  local icmp
  icmp=$(WIRESHARK_CONFIG_DIR=$ws tshark -r "$CAPTURE" -o esp.enable_encryption_decode:TRUE \
    -o esp.enable_authentication_check:TRUE -Y "esp and icmp and ip.dst == $(vpc_host_addr vpn1)" 2>/dev/null | wc -l)
  figure "ESP packets decrypted to the LAN's pings to the VPC" "$icmp"
  check_ge "with the keylog tshark decrypts ESP to the LAN's pings" "$icmp" 200
  # Both booleans are on every checked packet: a bare "esp.icv_bad" would match them all.
  local good bad
  good=$(WIRESHARK_CONFIG_DIR=$ws tshark -r "$CAPTURE" -o esp.enable_encryption_decode:TRUE \
    -o esp.enable_authentication_check:TRUE -Y 'esp.icv_good == 1' 2>/dev/null | wc -l)
  bad=$(WIRESHARK_CONFIG_DIR=$ws tshark -r "$CAPTURE" -o esp.enable_encryption_decode:TRUE \
    -o esp.enable_authentication_check:TRUE -Y 'esp.icv_bad == 1' 2>/dev/null | wc -l)
  figure "ESP packets whose ICV tshark verified good / bad" "$good / $bad"
  check_ge "tshark verifies the ICV of the pings and their replies" "$good" 400
  check_eq "no ESP packet fails its ICV check" 0 "$bad"
}

scenario_teardown() {
  kill "$(cat /run/xgw-test/tcpdump.pid 2>/dev/null)" 2>/dev/null
  gwd_stop
  aws_down
}
