# shellcheck shell=bash
# Traffic probes from the LAN host to a VPC host, to count what a change costs.
#
#   probe_start NAME CONNECTION PPS SECONDS [SIZE]   ping in the background (SIZE:
#                                             ICMP payload bytes, default 400)
#   probe_wait NAME                           waits for it to finish
#   probe_lost NAME                           packets sent but not answered
#   probe_lost_seqs NAME                      their sequence numbers, one per line
#   probe_outage_ms NAME                      the longest run of unanswered packets, in ms
#                                             (run length x interval)
# The ping output keeps one line per reply with its receive time (-D), so a failing run
# shows where the gap was.
probe_start() {
  local name=$1 conn=$2 pps=$3 secs=$4 size=${5:-400}
  local interval count
  interval=$(awk -v p="$pps" 'BEGIN {printf "%.3f", 1 / p}')
  count=$(( pps * secs ))
  mkdir -p /run/xgw-test
  echo "$interval $count" > "/run/xgw-test/probe-$name.params"
  in_ns lan ping -n -D -s "$size" -i "$interval" -c "$count" -W 1 "$(vpc_host_addr "$conn")" \
    > "/run/xgw-test/probe-$name.out" 2>&1 &
  echo $! > "/run/xgw-test/probe-$name.pid"
  register_log "probe-$name" "/run/xgw-test/probe-$name.out"
}

probe_wait() {
  local pid; pid=$(cat "/run/xgw-test/probe-$1.pid")
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}

probe_lost() {
  awk '/packets transmitted/ {print $1 - $4}' "/run/xgw-test/probe-$1.out"
}

# ping numbers its echo requests from 1; a sequence without a reply line was lost.
probe_lost_seqs() {
  local count; count=$(awk '{print $2}' "/run/xgw-test/probe-$1.params")
  awk -v n="$count" '
    { for (i = 1; i <= NF; i++) if ($i ~ /^icmp_seq=/ && $0 ~ /bytes from/) { split($i, a, "="); got[a[2]] = 1 } }
    END { for (s = 1; s <= n; s++) if (!(s in got)) print s }' "/run/xgw-test/probe-$1.out"
}

probe_outage_ms() {
  local interval; interval=$(awk '{print $1}' "/run/xgw-test/probe-$1.params")
  probe_lost_seqs "$1" | awk -v iv="$interval" '
    { run = ($1 == prev + 1) ? run + 1 : 1; if (run > best) best = run; prev = $1 }
    END { printf "%d\n", best * iv * 1000 }'
}

# What the gateway itself sent into a tunnel its peer had already deleted:
#   delete_watch_start NS DEV PEER   capture IKE from PEER and probe-sized ESP to PEER on DEV
#                                     (the probe's default SIZE tells them apart)
#   delete_watch_mark                 call just before the peer is made to send its Delete
#   delete_watch_stop
#   sent_after_delete PEER            ESP packets to PEER, on SAs used before it, after the
#                                     first informational message from PEER (its Delete)
#                                     after the mark
# The endpoint removes its SAs before its Delete leaves (strongSwan's order), so packets in
# flight during that gap are lost whatever the gateway does; the gateway's share is what it
# still sent into the tunnel after the Delete had arrived. The liveness probe's small
# packets are left out by size. The gateway's own informationals to PEER are captured too:
# its DPD R-U-THERE goes out every dpd_delay whatever the ESP traffic (only IKE messages
# count as heard from the peer), and the R-U-THERE-ACK that answers it is an informational
# from PEER as well. The first informational from PEER within a second of one of ours is
# that answer, not the Delete.
delete_watch_start() {
  local ns=$1 dev=$2 peer=$3
  nsenter --net="/run/netns/$ns" tcpdump -n -tt -l -i "$dev" \
    "(host $peer and udp port 500) or (dst host $peer and esp and greater 300)" \
    > /run/xgw-test/delete-watch.out 2>/dev/null &
  echo $! > /run/xgw-test/delete-watch.pid
  register_log delete-watch /run/xgw-test/delete-watch.out
  sleep 1  # tcpdump needs a moment before it captures
}
delete_watch_mark() { date +%s.%N > /run/xgw-test/delete-watch.mark; }
delete_watch_stop() { kill "$(cat /run/xgw-test/delete-watch.pid)" 2>/dev/null; sleep 0.5; }
sent_after_delete() {
  awk -v peer="$1" -v mark="$(cat /run/xgw-test/delete-watch.mark)" '
    index($0, "> " peer ".500: ") && / inf/ { asked = $1; next }
    !t && index($0, peer ".500 > ") && / inf/ {
      if (asked && $1 - asked < 1) { asked = 0; next }  # the answer to our R-U-THERE
      if ($1 > mark) t = $1
      next
    }
    # Only the SAs in use before the Delete count: a gateway that brings the tunnel back
    # (strongSwan with close_action = start) sends on new SAs, which is no loss.
    index($0, "> " peer ": ESP") && match($0, /spi=0x[0-9a-f]+/) {
      spi = substr($0, RSTART, RLENGTH)
      if (!t) deleted[spi] = 1
      else if ($1 > t && (spi in deleted)) n++
    }
    END { print n + 0 }' /run/xgw-test/delete-watch.out
}
