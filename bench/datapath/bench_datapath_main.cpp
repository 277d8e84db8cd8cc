// bench_datapath: datapath figures for the note.
//   bench_datapath testrun [repeat] [rounds]   ns/packet per class beside the empty program
//   bench_datapath flip [iterations]           steering map-flip latency from user space
//   bench_datapath veth [seconds]              XDP vs nftables netdev ingress on a veth pair
//   bench_datapath all                         everything with the default sizes
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_datapath.h"

int main(int argc, char** argv) {
  std::string what = argc > 1 ? argv[1] : "all";
  auto arg = [&](int i, long def) { return argc > i ? std::strtol(argv[i], nullptr, 10) : def; };
  int rc = 0;
  if (what == "testrun" || what == "all")
    rc |= xgw::bench::RunTestRunBench(static_cast<uint32_t>(what == "all" ? 10000000 : arg(2, 10000000)),
                                      static_cast<int>(what == "all" ? 3 : arg(3, 3)));
  if (what == "flip" || what == "all") rc |= xgw::bench::RunFlipBench(static_cast<int>(what == "all" ? 100000 : arg(2, 100000)));
  if (what == "veth" || what == "all") rc |= xgw::bench::RunVethBench(static_cast<int>(what == "all" ? 5 : arg(2, 5)));
  if (what != "testrun" && what != "flip" && what != "veth" && what != "all") {
    std::fprintf(stderr, "usage: bench_datapath [testrun [repeat] [rounds] | flip [n] | veth [s] | all]\n");
    return 2;
  }
  return rc;
}
