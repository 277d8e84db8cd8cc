# shellcheck shell=bash
# Boots the VM for one scenario under a hard timeout. Software emulation (TCG) by default;
# VM_ACCEL=kvm for machines with real KVM (this CI's /dev/kvm is PVM and too slow for a
# stock kernel, docs/vm-route.md). The only devices are two 9p shares (host root read-only,
# results read-write) and the serial console.

# vm_boot SCENARIO OUTDIR TIMEOUT -> qemu's exit status (124 on timeout)
vm_boot() {
  local scenario=$1 out=$2 timeout_s=$3
  local accel=(-accel tcg,thread=multi,tb-size=256 -cpu max)
  if [[ ${VM_ACCEL:-tcg} == kvm ]]; then accel=(-enable-kvm -cpu host,-arch-capabilities); fi
  local append="console=ttyS0 quiet loglevel=3 rdinit=/init panic=-1"
  append+=" xgw.init=$XGW_ROOT/vmtests/guest/init.sh xgw.repo=$XGW_ROOT xgw.build=$XGW_BUILD"
  append+=" xgw.moddir=$VM_MODDIR xgw.scenario=$scenario"
  timeout --kill-after=5 "$timeout_s" \
    qemu-system-x86_64 "${accel[@]}" -smp 2 -m "${VM_MEM:-1024}" \
      -nodefaults -nographic -no-reboot -nic none -serial stdio -display none \
      -kernel "$VM_KDIR/vmlinuz" -initrd "$VM_INITRD" -append "$append" \
      -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
      -virtfs local,path="$out",mount_tag=out,security_model=none,multidevs=remap \
      </dev/null 2>&1 | console_sink "$out/console.log"
  return "${PIPESTATUS[0]}"
}

# With VM_CONSOLE_LIVE=1 (the demo) the console is also shown, without firmware noise.
console_sink() {
  if [[ ${VM_CONSOLE_LIVE:-0} == 1 ]]; then
    tee "$1" | sed -u 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' \
      | grep --line-buffered -v -e '^SeaBIOS' -e '^Booting from' -e '^\s*$'
  else
    cat > "$1"
  fi
}
