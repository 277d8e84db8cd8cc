#include <gtest/gtest.h>

#include "fake_kernel_ipsec.h"

namespace xgw::kernel {
namespace {

TEST(FakeKernelIpsec, RecordsSasPoliciesInterfacesAndEvents) {
  FakeKernelIpsec f;
  KernelIpsec& k = f;
  Addr4 a = Addr4::Parse("192.0.2.1"), b = Addr4::Parse("203.0.113.9");
  uint32_t spi = k.AllocateSpi(b, a, 1);
  EXPECT_EQ(spi, 0xc0000001u);
  EXPECT_EQ(k.AllocateSpi(b, a, 1), 0xc0000002u);
  SaParams sa;
  sa.src = b;
  sa.dst = a;
  sa.spi = spi;
  sa.aead = AeadAlg{"rfc4106(gcm(aes))", std::vector<uint8_t>(20, 1), 128};
  k.UpdateSa(sa);
  EXPECT_EQ(k.QuerySa(a, spi).replay_window, 1024u);
  EXPECT_THROW(k.AddSa(sa), KernelError);
  k.AddPolicy({.selector = {}, .dir = PolicyDir::kOut, .tmpl_src = a, .tmpl_dst = b, .reqid = 1, .priority = 0, .if_id = 3, .block = false});
  EXPECT_EQ(f.policies.size(), 1u);
  k.DeletePolicy({}, PolicyDir::kOut, 3);
  EXPECT_TRUE(f.policies.empty());
  EXPECT_THROW(k.DeletePolicy({}, PolicyDir::kOut, 3), KernelError);
  k.CreateXfrmInterface({"xgw-t1", 3, "", 1438, {{Addr4::Parse("169.254.1.2"), 30}}, true});
  EXPECT_EQ(f.interfaces.at("xgw-t1").mtu, 1438u);
  f.FailNext("DeleteSa", ESRCH);
  try {
    k.DeleteSa(a, spi);
    FAIL() << "expected KernelError";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.error(), ESRCH);
    EXPECT_NE(std::string(e.what()).find("DeleteSa"), std::string::npos);
  }
  k.DeleteSa(a, spi);
  std::vector<KernelEvent> got;
  k.SubscribeEvents([&](const KernelEvent& ev) { got.push_back(ev); });
  KernelEvent ev;
  ev.type = KernelEvent::Type::kSoftExpire;
  ev.src = b;
  ev.dst = a;
  ev.spi = spi;
  f.Inject(ev);
  k.DispatchEvents();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].spi, spi);
  EXPECT_EQ(f.log.front(), "AllocateSpi 203.0.113.9 192.0.2.1 reqid 1");
}

}  // namespace
}  // namespace xgw::kernel
