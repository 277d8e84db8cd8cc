// The AWS MTU/MSS table, row by row.
#include <gtest/gtest.h>

#include "aws_mtu.h"

namespace xgw::kernel {
namespace {

TEST(AwsTunnelMtu, MatchesTheAwsTable) {
  using C = EspCipher;
  using I = EspIntegrity;
  struct Row {
    C c;
    I i;
    bool natt;
    MtuMss want;
  };
  const Row rows[] = {
      {C::kAesGcm, I::kNone, false, {1446, 1406}},  {C::kAesGcm, I::kNone, true, {1438, 1398}},
      {C::kAesCbc, I::kSha1, false, {1438, 1398}},  {C::kAesCbc, I::kSha256, false, {1438, 1398}},
      {C::kAesCbc, I::kSha1, true, {1422, 1382}},   {C::kAesCbc, I::kSha256, true, {1422, 1382}},
      {C::kAesCbc, I::kSha384, false, {1422, 1382}}, {C::kAesCbc, I::kSha384, true, {1422, 1382}},
      {C::kAesCbc, I::kSha512, false, {1422, 1382}}, {C::kAesCbc, I::kSha512, true, {1406, 1366}},
  };
  for (const Row& r : rows) EXPECT_EQ(AwsTunnelMtu(r.c, r.i, r.natt), r.want);
}

TEST(AwsTunnelMtu, XmlMssWinsAndImpossibleSuitesAreRejected) {
  EXPECT_EQ(AwsTunnelMtu(EspCipher::kAesCbc, EspIntegrity::kSha1, false, 1379), (MtuMss{1438, 1379}));
  EXPECT_THROW(AwsTunnelMtu(EspCipher::kAesCbc, EspIntegrity::kNone, false), std::invalid_argument);
  EXPECT_THROW(AwsTunnelMtu(EspCipher::kAesGcm, EspIntegrity::kSha256, false), std::invalid_argument);
}

}  // namespace
}  // namespace xgw::kernel
