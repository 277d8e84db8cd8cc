# shellcheck shell=bash
# Traffic probes from the LAN host to a VPC host, to count what a change costs.
#
#   probe_start NAME CONNECTION PPS SECONDS   ping in the background
#   probe_wait NAME                           waits for it to finish
#   probe_lost NAME                           packets sent but not answered
probe_start() {
  local name=$1 conn=$2 pps=$3 secs=$4
  local interval count
  interval=$(awk -v p="$pps" 'BEGIN {printf "%.3f", 1 / p}')
  count=$(( pps * secs ))
  mkdir -p /run/xgw-test
  in_ns lan ping -n -q -i "$interval" -c "$count" -W 1 "$(vpc_host_addr "$conn")" \
    > "/run/xgw-test/probe-$name.out" 2>&1 &
  echo $! > "/run/xgw-test/probe-$name.pid"
}

probe_wait() {
  local pid; pid=$(cat "/run/xgw-test/probe-$1.pid")
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}

probe_lost() {
  awk '/packets transmitted/ {print $1 - $4}' "/run/xgw-test/probe-$1.out"
}
