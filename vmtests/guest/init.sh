#!/bin/sh
# PID 1 of the test VM after switch_root: the host's root (read-only, RAM overlay) is our
# root. Prepares the kernel environment, runs one scenario with bash, records its exit code
# in the results share and powers off. Parameters come from the kernel command line.
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
OUT=/mnt/xgw-out
REPO=$(arg xgw.repo)
MODDIR=$(arg xgw.moddir)
KVER=$(uname -r)

# The host has no module tree for this kernel: bind the cached one first, so modprobe and
# the kernel's own module autoloading work (docs/vm-route.md).
mkdir -p "/lib/modules/$KVER"
mount --bind "$MODDIR" "/lib/modules/$KVER"
mount -t tmpfs -o mode=0755 run /run
mkdir -p /run/netns /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
# No tmpfs over /tmp: the overlay is already in RAM, and the source tree or the build may
# live under /tmp (a CI clone), which a tmpfs would hide.
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
ip link set lo up
# Every namespace a scenario creates is a router: new namespaces inherit the initial
# namespace's IPv4 settings (forwarding on), which saves a command per namespace.
sysctl -qw net.core.devconf_inherit_init_net=1 net.ipv4.ip_forward=1
hostname xgw-vm
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root

rc=99
if [ -n "$REPO" ]; then
  cd "$REPO" && bash vmtests/guest/run-scenario "$(arg xgw.scenario)" "$OUT" "$(arg xgw.build)"
  rc=$?
fi
echo "$rc" > "$OUT/exit-code"
echo "init: scenario exited $rc at $(cut -d' ' -f1 /proc/uptime)s"
sync
echo "init: synced at $(cut -d' ' -f1 /proc/uptime)s"
echo o > /proc/sysrq-trigger
# PID 1 must not exit before the power-off completes (that panics), and the 9p root may
# already be gone, so wait with a shell builtin rather than sleep(1).
while :; do :; done
