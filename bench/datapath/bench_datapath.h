#pragma once
#include <cstdint>

namespace xgw::bench {
int RunTestRunBench(uint32_t repeat, int rounds);
int RunFlipBench(int iterations);
int RunVethBench(int seconds);
}  // namespace xgw::bench
