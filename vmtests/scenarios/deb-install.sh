# Scenario: deb-install
# timeout: 240
# host-prepare: scripts/deb-chroot
#
# The Debian package on a system that has nothing else: scripts/deb-chroot installed this
# build's .deb with apt into a fresh debootstrap --variant=minbase Debian 12 (so apt pulled
# exactly the generated Depends); here gwd and gwctl run from that chroot, not from the build
# tree, as the customer gateway: both tunnels come up and LAN traffic crosses.
#
#   [lan] ---- [cgw: gwd from /var/cache/xgw/deb-chroot] ---- [inet] ---- [aws1, aws2] ---- [vpc]

CHROOT=/var/cache/xgw/deb-chroot

scenario_setup() {
  must test -x "$CHROOT/usr/sbin/gwd"
  aws_up "$XGW_ROOT/vmtests/aws/one-connection.conf"
  customer_up
  # The chroot shares the VM's kernel interfaces and /run (control socket, netns).
  local m
  for m in proc sys dev run; do mount --rbind "/$m" "$CHROOT/$m"; done
  must gwd_write_config
  mkdir -p "$CHROOT/etc/xgw"
  install -m 0600 "$GWD_CONF" "$CHROOT/etc/xgw/gwd.toml"
  ns_daemon cgw gwd /run/xgw-test/gwd.log chroot "$CHROOT" /usr/sbin/gwd --config /etc/xgw/gwd.toml
  must poll 15 test -S "$GWD_SOCK"
}

scenario_checks() {
  check "the package is installed in the chroot" bash -c "chroot $CHROOT dpkg -s xgw | grep -q '^Status: install ok installed'"
  # nsenter exec'd chroot, which exec'd gwd: the daemon's pid is gwd's.
  check_eq "gwd runs from the chroot's /usr/sbin" "$CHROOT/usr/sbin/gwd" "$(readlink "/proc/$(daemon_pid gwd)/exe")"
  wait_until 60 "gwd: vpn1/1 phase 2 up" chroot_gwctl_up vpn1/1
  wait_until 60 "gwd: vpn1/2 phase 2 up" chroot_gwctl_up vpn1/2
  check_eq "LAN to VPC: 5 of 5" 5 "$(ping_lan_to_vpc vpn1 5)"
  log "gwctl status from the chroot:"$'\n'"$(chroot "$CHROOT" gwctl status)"
}

chroot_gwctl_up() {
  [[ $(chroot "$CHROOT" gwctl status --json | jq -r --arg t "$1" '.connections[].tunnels[] | select(.name == $t) | .phase2') == up ]]
}

scenario_teardown() {
  gwd_stop
  aws_down
  local m
  for m in run dev sys proc; do umount -R -l "$CHROOT/$m" 2>/dev/null || true; done
}
