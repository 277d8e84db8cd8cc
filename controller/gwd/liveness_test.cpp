// The liveness probe on loopback (the kernel answers echo requests to 127.0.0.1): it sends
// nothing until resume(), and nothing after pause().
#include "controller/gwd/liveness.h"

#include <gtest/gtest.h>

#include <chrono>

namespace xgw::gwd {
namespace {

constexpr std::uint32_t kLoopback = 0x7f000001;

struct ProbeOnLoopback : ::testing::Test {
  boost::asio::io_context io;
  int changes = 0;
  LivenessProbe probe{io, {"lo", kLoopback, kLoopback, 0x78ff, 50, 3}, [this](bool) { ++changes; }};

  void run_for(std::chrono::milliseconds d) {
    io.restart();
    io.run_for(d);
  }
};

TEST_F(ProbeOnLoopback, SendsNothingBeforeResume) {
  probe.start();
  run_for(std::chrono::milliseconds(300));
  EXPECT_EQ(probe.sent(), 0u);
  EXPECT_FALSE(probe.probing());
}

TEST_F(ProbeOnLoopback, ProbesWhileResumedAndStopsOnPause) {
  probe.start();
  probe.resume(true);
  run_for(std::chrono::milliseconds(400));
  EXPECT_TRUE(probe.probing());
  EXPECT_GE(probe.sent(), 4u);
  EXPECT_GE(probe.received(), 3u);
  EXPECT_TRUE(probe.alive());

  probe.pause();
  run_for(std::chrono::milliseconds(20));  // a reply in flight may still arrive
  const auto sent = probe.sent();
  run_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(probe.probing());
  EXPECT_EQ(probe.sent(), sent);
  EXPECT_EQ(changes, 0);
}

// Pause and resume before the pending tick's handler ran: still one probe per interval, not
// two chains of ticks.
TEST_F(ProbeOnLoopback, PauseThenResumeKeepsOneChainOfTicks) {
  probe.start();
  probe.resume(true);
  run_for(std::chrono::milliseconds(60));
  for (int i = 0; i < 5; ++i) {
    probe.pause();
    probe.resume(false);
  }
  const auto sent = probe.sent();
  run_for(std::chrono::milliseconds(500));
  // 50 ms apart: about 10 in 500 ms; two chains would send about 20.
  EXPECT_LE(probe.sent() - sent, 13u);
  EXPECT_GE(probe.sent() - sent, 3u);
}

}  // namespace
}  // namespace xgw::gwd
