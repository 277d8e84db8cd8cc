# shellcheck shell=bash
# A small initramfs: static busybox, the 9p and overlay modules, and guest/initramfs-init,
# which mounts the host root read-only with a RAM overlay and hands over to guest/init.sh.

# Modules needed before the root exists, in dependency order (modprobe --show-depends
# takes one module per call, so each is resolved on its own and the list deduplicated).
VM_INITRAMFS_MODULES=(virtio_pci 9pnet_virtio 9p overlay)

vm_initramfs_ensure() {
  local init_src="$XGW_ROOT/vmtests/guest/initramfs-init"
  local key out
  key=$(cat "$init_src" /bin/busybox <(echo "$VM_KVER ${VM_INITRAMFS_MODULES[*]}") | sha256sum | cut -c1-16)
  out="$VM_DIR/initramfs-$VM_KVER-$key.img"
  VM_INITRD=$out
  [[ -f "$out" ]] && return 0
  xgw_log "vm: building initramfs"
  local work
  work=$(mktemp -d)
  mkdir -p "$work"/{bin,dev,proc,sys,lower,upper,newroot,modules}
  cp /bin/busybox "$work/bin/busybox"
  ln -s busybox "$work/bin/sh"
  local mod line seen=" " order=()
  for mod in "${VM_INITRAMFS_MODULES[@]}"; do
    while read -r line; do
      [[ $line == insmod* ]] || continue
      local path=${line#insmod }; path=${path%% *}
      if [[ $seen != *" $path "* ]]; then seen+="$path "; order+=("$path"); fi
    done < <(modprobe -d "$VM_KDIR/root" -S "$VM_KVER" --show-depends "$mod")
  done
  local i=0 p
  for p in "${order[@]}"; do
    # Kernel modules in the Debian package are xz-compressed or plain .ko; busybox insmod
    # wants plain ELF, so decompress here.
    local dst; dst=$(printf '%s/modules/%02d-%s' "$work" "$i" "$(basename "${p%.xz}")")
    case "$p" in
      *.xz) xz -dc "$p" > "$dst" ;;
      *) cp "$p" "$dst" ;;
    esac
    i=$((i + 1))
  done
  cp "$init_src" "$work/init"
  chmod +x "$work/init"
  (cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
  mv "$out.tmp" "$out"
  rm -rf "$work"
}
