// Recording KernelIpsec for unit tests: keeps SAs, policies and interfaces in memory, logs
// each call in order, hands out SPIs deterministically, can be told to fail an operation, and
// lets a test inject acquire/expire events.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "kernel_ipsec.h"

namespace xgw::kernel {

class FakeKernelIpsec final : public KernelIpsec {
 public:
  uint32_t AllocateSpi(Addr4 src, Addr4 dst, uint32_t reqid, uint32_t min, uint32_t max) override;
  void AddSa(const SaParams& sa) override;
  void UpdateSa(const SaParams& sa) override;
  void DeleteSa(Addr4 dst, uint32_t spi) override;
  SaCounters QuerySa(Addr4 dst, uint32_t spi) override;
  void AddPolicy(const PolicyParams& p) override;
  void DeletePolicy(const Selector& sel, PolicyDir dir, uint32_t if_id) override;
  void CreateXfrmInterface(const XfrmInterfaceParams& p) override;
  void DeleteXfrmInterface(const std::string& name) override;
  void BypassSocket(int fd, int family) override;
  void SubscribeEvents(std::function<void(const KernelEvent&)> handler, Events = Events::kAcquireAndExpire) override {
    handler_ = std::move(handler);
  }
  int event_fd() const override { return -1; }
  void DispatchEvents() override;

  // Queues an event for the next DispatchEvents().
  void Inject(const KernelEvent& ev) { pending_.push_back(ev); }
  // The next call whose log line starts with `prefix` throws KernelError(err).
  void FailNext(const std::string& prefix, int err) { fail_prefix_ = prefix; fail_err_ = err; }

  std::map<std::pair<Addr4, uint32_t>, SaParams> sas;  // (dst, spi)
  std::map<std::pair<Addr4, uint32_t>, SaCounters> counters;
  std::map<std::tuple<uint8_t, uint32_t, uint32_t, uint8_t, uint32_t, uint8_t>, PolicyParams> policies;
  std::map<std::string, XfrmInterfaceParams> interfaces;
  std::vector<int> bypassed_sockets;
  std::vector<std::string> log;
  uint32_t next_spi = 0xc0000001;

 private:
  void Record(const std::string& line);
  std::function<void(const KernelEvent&)> handler_;
  std::vector<KernelEvent> pending_;
  std::string fail_prefix_;
  int fail_err_ = 0;
};

}  // namespace xgw::kernel
