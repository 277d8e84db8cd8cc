# shellcheck shell=bash
# Installs every Debian 12 package xgw needs to build, test and run its VM scenarios.
# Idempotent: packages already installed are not touched, and apt is only called when
# something is missing. Waits for the dpkg lock instead of failing (another apt run,
# unattended-upgrades) because a fresh CI machine may still be busy with its own updates.

XGW_APT_PACKAGES=(
  # build
  cmake make g++ clang llvm pkg-config dpkg-dev
  libclang-rt-14-dev  # libFuzzer and the sanitizers (scripts/fuzz)
  libbpf-dev bpftool libelf-dev zlib1g-dev linux-libc-dev
  libssl-dev libboost-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libmnl-dev libtomlplusplus-dev nlohmann-json3-dev libpugixml-dev
  # VM harness and scenarios
  qemu-system-x86 busybox-static cpio kmod bc
  bird2 strongswan strongswan-swanctl strongswan-charon libstrongswan-standard-plugins
  nftables iproute2 iputils-ping tcpdump tshark procps psmisc util-linux jq
  python3 curl  # operator: AWS XML read independently of gwctl; observability: metrics
  debootstrap  # deb-install: a clean Debian 12 for the package
)

xgw_missing_packages() {
  # One dpkg-query for all packages; a package dpkg has never heard of is missing too.
  local installed
  installed=" $(dpkg-query -W -f='${Package} ${Status}\n' "${XGW_APT_PACKAGES[@]}" 2>/dev/null \
    | awk '$NF == "installed" && $(NF-1) == "ok" {print $1}' | tr '\n' ' ') "
  local p missing=()
  for p in "${XGW_APT_PACKAGES[@]}"; do
    [[ $installed == *" $p "* ]] || missing+=("$p")
  done
  echo "${missing[@]}"
}

xgw_wait_dpkg_lock() {
  local waited=0
  while fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock \
        >/dev/null 2>&1; do
    if (( waited % 30 == 0 )); then echo "deps: waiting for the dpkg lock (${waited}s)" >&2; fi
    sleep 2; waited=$((waited + 2))
  done
}

# apt-get with lock waiting. DPkg::Lock::Timeout covers the window between our check and
# apt taking the lock.
xgw_apt() {
  xgw_wait_dpkg_lock
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -q "$@"
}

xgw_install_deps() {
  local missing
  missing=$(xgw_missing_packages)
  if [[ -z "$missing" ]]; then return 0; fi
  echo "deps: installing $missing" >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "deps: root is needed to install packages (run as root)" >&2; return 1
  fi
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  xgw_apt update >/dev/null
  # shellcheck disable=SC2086
  xgw_apt install --no-install-recommends $missing >/dev/null
  missing=$(xgw_missing_packages)
  if [[ -n "$missing" ]]; then echo "deps: still missing after install: $missing" >&2; return 1; fi
}
