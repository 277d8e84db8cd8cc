# shellcheck shell=bash
# Network namespaces, veth links and daemons inside namespaces.
#
# Commands run in a namespace with `nsenter --net=/run/netns/NS` rather than `ip netns exec`:
# the latter remounts /sys in a private mount namespace, which hides bpffs, so pinned BPF
# objects made there would vanish (host-facts.md). Only strongSwan, which needs per-namespace
# /etc and /run, is started through `ip netns exec` (see strongswan.sh).

# ns_add NS: a namespace with loopback up; forwarding is inherited (guest/init.sh).
ns_add() {
  ip netns add "$1"
  ip -n "$1" link set lo up
}

in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }

# ns_ip NS <<EOF ... EOF: several `ip` commands in NS from one process (ip -batch), since
# each process start costs tens of milliseconds under emulation.
ns_ip() { ip -n "$1" -batch -; }

# veth_link NS1 IF1 ADDR1 NS2 IF2 ADDR2: a veth pair between two namespaces; ADDR may be "-".
veth_link() {
  local ns1=$1 if1=$2 a1=$3 ns2=$4 if2=$5 a2=$6
  ip link add "$if1" netns "$ns1" type veth peer name "$if2" netns "$ns2"
  { echo "link set $if1 up"; [[ $a1 == - ]] || echo "addr add $a1 dev $if1"; } | ns_ip "$ns1"
  { echo "link set $if2 up"; [[ $a2 == - ]] || echo "addr add $a2 dev $if2"; } | ns_ip "$ns2"
}

# ns_daemon NS NAME LOGFILE CMD...: starts CMD in the background inside NS, its output in
# LOGFILE, its pid in /run/xgw-test/NAME.pid, and registers the log for failure reports.
ns_daemon() {
  local ns=$1 name=$2 logf=$3; shift 3
  mkdir -p /run/xgw-test
  # Appends: a daemon restarted by the scenario keeps its predecessor's lines.
  setsid nsenter --net="/run/netns/$ns" "$@" >>"$logf" 2>&1 </dev/null &
  echo $! > "/run/xgw-test/$name.pid"
  register_log "$name" "$logf"
}

daemon_pid() { cat "/run/xgw-test/$1.pid"; }

daemon_stop() {
  local pid
  pid=$(daemon_pid "$1" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
}

modules_load() { modprobe -a "$@"; }
