# Scenario: smoke
# timeout: 60
#
# The VM itself: the 6.1 kernel booted, the kernel features every other scenario needs load
# as modules (ESP, XFRM interfaces, nftables), bpffs is mounted and our BPF program runs.
#
#   [VM: Debian 6.1 kernel, host root read-only + RAM overlay]

scenario_setup() {
  must modules_load xfrm_user esp4 xfrm4_tunnel xfrm_interface veth nf_tables sch_netem
  ns_add smoke
}

scenario_checks() {
  check "kernel is Debian's 6.1" bash -c 'uname -r | grep_quiet "^6\.1\."'
  check "esp4 is loaded" grep -qw '^esp4' /proc/modules
  check "an XFRM interface can be created" in_ns smoke ip link add xfrm9 type xfrm dev lo if_id 9
  check "an ESP SA can be installed" in_ns smoke ip xfrm state add src 192.0.2.1 dst 192.0.2.2 \
    proto esp spi 0x100 mode tunnel enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff \
    auth-trunc 'hmac(sha1)' 0x00112233445566778899aabbccddeeff00112233 96
  check "bpffs is mounted" bash -c 'stat -f -c %T /sys/fs/bpf | grep_quiet bpf'
  check "gwd and gwctl run" bash -c 'gwd --version && gwctl --version'
  check "the XDP program loads and test-runs" "$XGW_BIN/bpf_xdp_wan_test"
  check "strongSwan is installed" test -x /usr/lib/ipsec/charon
}
