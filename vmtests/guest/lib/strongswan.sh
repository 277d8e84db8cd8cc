# shellcheck shell=bash
# strongSwan instances: one charon per namespace.
#
# Each charon runs through `ip netns exec`, which bind-mounts /etc/netns/NS/* over /etc, so
# the instance reads its own strongswan.conf and swanctl/ tree; it also gets a private /run
# (bind of /run/ns-NS) so pid files and the vici socket do not clash. Inside that mount
# namespace the vici socket is /run/charon.vici; from outside it is /run/ns-NS/charon.vici.

sw_uri() { echo "unix:///run/ns-$1/charon.vici"; }
sw_log() { echo "/run/ns-$1/charon.log"; }
# swctl NS COMMAND ARGS...: swanctl against the instance in NS (the command comes first).
# swanctl gets a strongswan.conf of its own that loads only the plugins it uses: with the
# system's it reports every optional plugin that is not installed.
swctl() {
  local ns=$1 cmd=$2; shift 2
  [[ -f /run/xgw-swanctl.conf ]] \
    || printf 'swanctl {\n  load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey\n}\n' > /run/xgw-swanctl.conf
  STRONGSWAN_CONF=/run/xgw-swanctl.conf swanctl "$cmd" --uri "$(sw_uri "$ns")" "$@"
}

# sw_write_conf NS: strongswan.conf for the instance in NS (swanctl.conf is the caller's).
# Environment: SW_CHARON_EXTRA (more charon options, one per line), SW_LOG_IKE (the IKE log
# level, default 2: checks grep it).
sw_write_conf() {
  local ns=$1
  local d
  mkdir -p "/run/ns-$ns"
  # swanctl --load-all reads credentials from these directories beside swanctl.conf.
  for d in conf.d x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12; do
    mkdir -p "/etc/netns/$ns/swanctl/$d"
  done
  write_file "/etc/netns/$ns/strongswan.conf" <<CONF
charon {
  load_modular = yes
  install_routes = no
  ${SW_CHARON_EXTRA:-}
  plugins {
    include strongswan.d/charon/*.conf
    vici { socket = unix:///run/charon.vici }
    bypass-lan { load = no }
  }
  filelog {
    main {
      path = /run/charon.log
      # Checks grep this log while charon runs: write every line at once.
      flush_line = yes
      time_format = %H:%M:%S
      default = 1
      ike = ${SW_LOG_IKE:-2}
      knl = 1
    }
  }
}
include strongswan.d/*.conf
CONF
}

# sw_start NS...: starts charon in each NS (configs must be written) and loads its
# swanctl.conf. The daemons start in parallel: under emulation each takes seconds.
sw_start() {
  local ns
  for ns in "$@"; do sw_launch "$ns"; done
  for ns in "$@"; do
    poll 20 test -S "/run/ns-$ns/charon.vici" || { echo "charon in $ns did not open vici"; return 1; }
    swctl "$ns" --load-all --file "/etc/netns/$ns/swanctl/swanctl.conf" >/dev/null
  done
}

sw_launch() {
  local ns=$1
  ip netns exec "$ns" sh -c "mount --bind /run/ns-$ns /run && exec /usr/lib/ipsec/charon" \
    > "/run/ns-$ns/charon.stdout" 2>&1 </dev/null &
  echo $! > "/run/ns-$ns/charon.launcher.pid"
  register_log "charon-$ns" "$(sw_log "$ns")"
}

sw_stop() {
  local ns=$1 pid
  pid=$(cat "/run/ns-$ns/charon.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
}

# sw_stop_wait NS: stops the instance in NS and waits until it is gone (SIGKILL after 20 s).
sw_stop_wait() {
  local ns=$1 pid
  pid=$(cat "/run/ns-$ns/charon.pid" 2>/dev/null) && {
    kill "$pid" 2>/dev/null
    poll 20 bash -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null
  }
  rm -f "/run/ns-$ns/charon.pid" "/run/ns-$ns/charon.vici"
}

sw_initiate() { local ns=$1 child=$2; swctl "$ns" --initiate --child "$child" --timeout "${3:-30}"; }

# sw_ike_established NS CONN / sw_child_installed NS CHILD: true when listed as such.
sw_ike_established() { swctl "$1" --list-sas --ike "$2" | grep_quiet "^$2: .*ESTABLISHED"; }
sw_child_installed() { swctl "$1" --list-sas | grep_quiet -E "^ +$2: .*INSTALLED"; }

# sw_sa_summary NS: IKE and child SAs of the instance, without the per-SA detail lines.
sw_sa_summary() { swctl "$1" --list-sas 2>/dev/null | grep -E '^[^ ]|^  [a-z0-9-]+: #|INSTALLED'; }
