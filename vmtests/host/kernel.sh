# shellcheck shell=bash
# The VM's kernel: Debian's generic 6.1 kernel, resolved from linux-image-amd64, downloaded
# with apt-get download and unpacked (never installed) into the cache. The host kernel has
# no ESP and no XFRM interfaces; this one has both as modules (docs/vm-route.md).

# Prints the kernel package name linux-image-amd64 depends on, e.g. linux-image-6.1.0-56-amd64.
vm_kernel_package() {
  local pkg
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  if [[ -z "$pkg" ]]; then
    xgw_apt update >/dev/null
    pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  fi
  [[ -n "$pkg" ]] || xgw_die "cannot resolve the kernel package from linux-image-amd64"
  echo "$pkg"
}

# Ensures $VM_DIR/kernel/<kver>/ holds vmlinuz and the modules with modules.dep.
# Sets VM_KVER and VM_KDIR. Reuses the cache once it is complete (the .complete stamp).
vm_kernel_ensure() {
  local stamp_pkg="$VM_DIR/kernel/package"
  local pkg
  if [[ -f "$stamp_pkg" ]]; then
    pkg=$(cat "$stamp_pkg")
  else
    pkg=$(vm_kernel_package)
  fi
  VM_KVER=${pkg#linux-image-}
  VM_KDIR="$VM_DIR/kernel/$VM_KVER"
  if [[ ! -f "$VM_KDIR/.complete" ]]; then
    xgw_log "vm: fetching kernel package $pkg"
    rm -rf "$VM_KDIR" && mkdir -p "$VM_KDIR/deb"
    (cd "$VM_KDIR/deb" && xgw_apt download "$pkg" >/dev/null) \
      || xgw_die "apt-get download $pkg failed"
    dpkg -x "$VM_KDIR"/deb/*.deb "$VM_KDIR/root"
    rm -rf "$VM_KDIR/deb"
    # The .deb ships no modules.dep; build it so modprobe works inside the VM.
    depmod -b "$VM_KDIR/root" "$VM_KVER"
    cp "$VM_KDIR/root/boot/vmlinuz-$VM_KVER" "$VM_KDIR/vmlinuz"
    touch "$VM_KDIR/.complete"
    echo "$pkg" > "$stamp_pkg"
  fi
  VM_MODDIR="$VM_KDIR/root/lib/modules/$VM_KVER"
}
