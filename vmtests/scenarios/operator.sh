# Scenario: operator
# timeout: 360
#
# What a network engineer does with AWS's download: `gwctl import aws vpn-static.xml
# --remote-network ... --write /etc/xgw`, then gwd from the written config brings both
# tunnels up against endpoints configured from the same fixture (read here with Python's XML
# parser, not with gwctl), and `gwctl doctor` passes. Then doctor has to name the cause of
# two classic faults from gwd's live status: UDP 500 blocked on the path (no_reply:MM1), and a
# wrong pre-shared key (no_valid_reply:MM5).
#
#   [lan] ---- [cgw: gwd from the imported config] ---- [inet] ---- [aws1, aws2] ---- [vpc]

FIXTURE=$XGW_ROOT/../shared/fixtures/aws/vpn-static.xml
OP_CONF=/etc/xgw/gwd.toml
VPC_NET=192.0.2.128/26

scenario_setup() {
  must tunnelfile_from_fixture "$FIXTURE" /run/xgw-test/vpn-static.conf
  aws_up /run/xgw-test/vpn-static.conf
  customer_up
  rm -rf /etc/xgw
  must gwctl import aws "$FIXTURE" --interface wan0 --lan-interface c-lan --remote-network "$VPC_NET" --write /etc/xgw
  GWD_CONF=$OP_CONF must gwd_start
}

scenario_checks() {
  local c=${TF_CONNECTIONS[0]} t1 t2
  t1=$c/1 t2=$c/2
  check_eq "import wrote the config and PSK files private" "600 600 600" \
    "$(stat -c %a "$OP_CONF" /etc/xgw/*.psk | tr '\n' ' ' | sed 's/ $//')"
  wait_until 60 "gwd: $t1 phase 2 up" gwd_tunnel_up "$t1"
  wait_until 60 "gwd: $t2 phase 2 up" gwd_tunnel_up "$t2"
  wait_until 20 "aws1 reports its tunnel established" aws_tunnel_up aws1
  wait_until 20 "aws2 reports its tunnel established" aws_tunnel_up aws2
  check_eq "LAN to VPC: 5 of 5" 5 "$(ping_lan_to_vpc "$c" 5)"
  local out rc
  doctor_run
  check_eq "gwctl doctor passes on the running gateway" 0 "$DOCTOR_RC"
  check "doctor looked at both tunnels of the running gwd" \
    test "$(grep -c '^pass  tunnel .* (phase 1 up, phase 2 up)' <<<"$DOCTOR_OUT")" -eq 2

  # UDP 500 blocked on the path: a fresh gwd gets no answer to its Main Mode.
  gwd_stop
  net_block udp500
  GWD_CONF=$OP_CONF must gwd_start
  wait_until 30 "gwd: $t1 failed with no_reply:MM1" output_is no_reply:MM1 gwd_tunnel_field "$t1" last_failure
  doctor_run
  check_eq "doctor fails with UDP 500 blocked" 1 "$DOCTOR_RC"
  check "doctor names the cause: UDP 500 blocked" \
    grep -q "fail  tunnel $t1 .*no_reply:MM1: UDP 500 blocked or wrong peer address; remember AWS never initiates IKEv1" \
    <<<"$DOCTOR_OUT"
  net_unblock udp500
  wait_until 30 "gwd: $t1 up again once UDP 500 passes (it retries forever)" gwd_tunnel_up "$t1"

  # A wrong PSK for tunnel 1 (reload renegotiates that tunnel with it).
  local psk_file
  psk_file=$(awk -F'"' '/^psk_file/ {print $2; exit}' "$OP_CONF")
  [[ $psk_file == /* ]] || psk_file=/etc/xgw/$psk_file
  printf 'Wr0ng.Key_4wLr8sYd3HfJ6pCg1eXq7v\n' > "$psk_file"
  check "gwctl reload renegotiates $t1 with the new key" gwctl reload --socket "$GWD_SOCK"
  wait_until 40 "gwd: $t1 failed with no_valid_reply:MM5" \
    output_is no_valid_reply:MM5 gwd_tunnel_field "$t1" last_failure
  doctor_run
  check_eq "doctor fails with the wrong PSK" 1 "$DOCTOR_RC"
  check "doctor names the cause: pre-shared key mismatch" \
    grep -q "fail  tunnel $t1 .*no_valid_reply:MM5: pre-shared key mismatch" <<<"$DOCTOR_OUT"
  check "$t2 is untouched and up" gwd_tunnel_up "$t2"
}

# tunnelfile_from_fixture XML OUT: the AWS side's tunnel file from AWS's XML, read with
# Python's parser: connection id, customer gateway address, and per tunnel the outside and
# inside addresses and the PSK.
tunnelfile_from_fixture() {
  mkdir -p "$(dirname "$2")"
  /usr/bin/python3 - "$1" "$VPC_NET" > "$2" <<'PY' || return 1
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cid = root.get("id")
tunnels = root.findall("ipsec_tunnel")
cgw = tunnels[0].find("customer_gateway/tunnel_outside_address/ip_address").text
print(f"[connection {cid}]\ncustomer_address = {cgw}\nvpc = vpc\nvpc_network = {sys.argv[2]}\n")
for i, t in enumerate(tunnels, 1):
    vgw = t.find("vpn_gateway")
    inside = vgw.find("tunnel_inside_address")
    ip = inside.find("ip_address").text.rsplit(".", 1)
    net = f"{ip[0]}.{int(ip[1]) - 1}/{inside.find('network_cidr').text}"
    print(f"[tunnel {cid}/{i}]\nendpoint = aws{i}")
    print(f"outside = {vgw.find('tunnel_outside_address/ip_address').text}")
    print(f"inside = {net}\npsk = {t.find('ike/pre_shared_key').text}\n")
PY
}

scenario_teardown() {
  gwd_stop
  aws_down
}
