#include "fake_kernel_ipsec.h"

#include <cerrno>
#include <cstdio>

namespace xgw::kernel {
namespace {

std::string Hex(uint32_t v) {
  char b[16];
  snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

auto PolicyKey(const Selector& s, PolicyDir d, uint32_t if_id) {
  return std::make_tuple(static_cast<uint8_t>(d), s.src.addr.be, s.dst.addr.be,
                         static_cast<uint8_t>(s.src.len * 33 + s.dst.len), if_id, s.proto);
}

}  // namespace

void FakeKernelIpsec::Record(const std::string& line) {
  if (!fail_prefix_.empty() && line.rfind(fail_prefix_, 0) == 0) {
    fail_prefix_.clear();
    throw KernelError(line, fail_err_, "injected by FakeKernelIpsec");
  }
  log.push_back(line);
}

uint32_t FakeKernelIpsec::AllocateSpi(Addr4 src, Addr4 dst, uint32_t reqid, uint32_t min, uint32_t max) {
  Record("AllocateSpi " + src.ToString() + " " + dst.ToString() + " reqid " + std::to_string(reqid));
  uint32_t spi = next_spi < min ? min : next_spi;
  if (spi > max) throw KernelError("allocate SPI", ENOENT, "range exhausted");
  next_spi = spi + 1;
  return spi;
}

void FakeKernelIpsec::AddSa(const SaParams& sa) {
  Record("AddSa " + sa.src.ToString() + " " + sa.dst.ToString() + " " + Hex(sa.spi));
  if (sas.count({sa.dst, sa.spi})) throw KernelError("add SA", EEXIST, "");
  sas[{sa.dst, sa.spi}] = sa;
}

void FakeKernelIpsec::UpdateSa(const SaParams& sa) {
  Record("UpdateSa " + sa.src.ToString() + " " + sa.dst.ToString() + " " + Hex(sa.spi));
  sas[{sa.dst, sa.spi}] = sa;
}

void FakeKernelIpsec::DeleteSa(Addr4 dst, uint32_t spi) {
  Record("DeleteSa " + dst.ToString() + " " + Hex(spi));
  if (!sas.erase({dst, spi})) throw KernelError("delete SA", ESRCH, "");
}

SaCounters FakeKernelIpsec::QuerySa(Addr4 dst, uint32_t spi) {
  Record("QuerySa " + dst.ToString() + " " + Hex(spi));
  auto it = sas.find({dst, spi});
  if (it == sas.end()) throw KernelError("query SA", ESRCH, "");
  SaCounters c = counters[{dst, spi}];
  c.replay_window = it->second.replay_window;
  return c;
}

void FakeKernelIpsec::AddPolicy(const PolicyParams& p) {
  Record("AddPolicy " + std::to_string(static_cast<int>(p.dir)) + " if_id " + std::to_string(p.if_id));
  policies[PolicyKey(p.selector, p.dir, p.if_id)] = p;
}

void FakeKernelIpsec::DeletePolicy(const Selector& sel, PolicyDir dir, uint32_t if_id) {
  Record("DeletePolicy " + std::to_string(static_cast<int>(dir)) + " if_id " + std::to_string(if_id));
  if (!policies.erase(PolicyKey(sel, dir, if_id))) throw KernelError("delete policy", ENOENT, "");
}

void FakeKernelIpsec::CreateXfrmInterface(const XfrmInterfaceParams& p) {
  Record("CreateXfrmInterface " + p.name + " if_id " + std::to_string(p.if_id));
  if (interfaces.count(p.name)) throw KernelError("create XFRM interface", EEXIST, "");
  interfaces[p.name] = p;
}

void FakeKernelIpsec::DeleteXfrmInterface(const std::string& name) {
  Record("DeleteXfrmInterface " + name);
  if (!interfaces.erase(name)) throw KernelError("delete XFRM interface", ENODEV, "");
}

void FakeKernelIpsec::BypassSocket(int fd, int family) {
  Record("BypassSocket " + std::to_string(fd) + " " + std::to_string(family));
  bypassed_sockets.push_back(fd);
}

void FakeKernelIpsec::DispatchEvents() {
  auto events = std::move(pending_);
  pending_.clear();
  for (const auto& ev : events)
    if (handler_) handler_(ev);
}

}  // namespace xgw::kernel
