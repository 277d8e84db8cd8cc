// gwd's BIRD pieces: the fragment it writes (parsed by BIRD itself with `bird -p`), the
// control-socket reply reader and `show protocols` parser (on BIRD 2.0.12's own output),
// and BirdClient against a real BIRD in a private network namespace.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "controller/gwd/bird_config.h"
#include "controller/gwd/bird_control.h"

namespace xgw::gwd {
namespace {

BirdSession Session(std::uint32_t id, const char* name, const char* inside_net) {
  BirdSession s;
  s.tunnel_id = id;
  s.tunnel_name = name;
  auto inside = config::parse_cidr(inside_net);
  s.local_inside = inside->addr + 2;
  s.peer_inside = inside->addr + 1;
  s.bgp.advertise = {*config::parse_cidr("192.0.2.0/26")};
  return s;
}

// What docs/bgp.md asks of bird.conf: a router id, the device protocol, the include.
const std::string kBirdConf = "router id 198.51.100.10;\nprotocol device {}\ninclude \"";

bool HaveBird() { return std::system("command -v bird >/dev/null 2>&1") == 0; }

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/xgw-bird-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path(const std::string& name) const { return path_ + "/" + name; }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path(name)) << text; }

 private:
  std::string path_;
};

TEST(BirdFragment, OneSessionPerTunnelWithItsOwnTableAndKernelTable) {
  std::string f = render_bird_fragment({Session(3, "vpn1/1", "169.254.100.0/30"), Session(4, "vpn1/2", "169.254.101.0/30")});
  EXPECT_NE(f.find("protocol bgp xgw_t3 {"), std::string::npos) << f;
  EXPECT_NE(f.find("local 169.254.100.2 as 65000;"), std::string::npos) << f;
  EXPECT_NE(f.find("neighbor 169.254.100.1 as 64512;"), std::string::npos) << f;
  EXPECT_NE(f.find("hold time 30;"), std::string::npos) << f;
  EXPECT_NE(f.find("kernel table 7870004;"), std::string::npos) << f;
  EXPECT_NE(f.find("route 192.0.2.0/26 unreachable;"), std::string::npos) << f;
  EXPECT_EQ(bgp_kernel_table(4), 7870004u);
}

TEST(BirdFragment, BirdParsesWhatGwdWrites) {
  if (!HaveBird()) GTEST_SKIP() << "bird (Debian bird2) not installed";
  TempDir d;
  for (const auto& sessions : {std::vector<BirdSession>{}, std::vector<BirdSession>{Session(1, "a/1", "169.254.100.0/30"),
                                                                                      Session(2, "a/2", "169.254.101.0/30")}}) {
    d.write("xgw.conf", render_bird_fragment(sessions));
    d.write("bird.conf", kBirdConf + d.path("xgw.conf") + "\";\n");
    std::string cmd = "bird -p -c " + d.path("bird.conf") + " 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << render_bird_fragment(sessions);
  }
}

TEST(BirdReply, ReadsGreetingMultiLineRepliesAndErrors) {
  BirdReplyReader r;
  EXPECT_TRUE(r.feed("0001 BIRD 2.0.12 ready."));
  EXPECT_TRUE(r.take().ok());
  EXPECT_FALSE(r.feed("0002-Reading configuration from /etc/bird/bird.conf"));
  EXPECT_TRUE(r.feed("0003 Reconfigured"));
  BirdReply ok = r.take();
  EXPECT_TRUE(ok.ok());
  ASSERT_EQ(ok.lines.size(), 2u);
  EXPECT_EQ(ok.lines[1].code, 3);
  EXPECT_FALSE(r.feed("0002-Reading configuration from /etc/bird/bird.conf"));
  EXPECT_TRUE(r.feed("8002 /etc/bird/xgw.conf:4:1 syntax error, unexpected CF_SYM_UNDEFINED"));
  BirdReply bad = r.take();
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error, "/etc/bird/xgw.conf:4:1 syntax error, unexpected CF_SYM_UNDEFINED");
}

TEST(BirdReply, ParsesShowProtocolsAsBird2Prints) {
  BirdReplyReader r;
  for (const char* line : {"2002-Name       Proto      Table      State  Since         Info",
                           "1002-xgw_device Device     ---        up     07:56:25.669  ",
                           " xgw_t1_lan Static     xgw_t1_routes up     07:56:25.669  ",
                           " xgw_t1     BGP        ---        up     07:56:26.472  Established   ",
                           " xgw_t2     BGP        ---        start  2026-11-28 08:01:02  Active        Socket: Connection refused",
                           "0000 "})
    r.feed(line);
  auto rows = parse_show_protocols(r.take());
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].name, "xgw_device");
  EXPECT_EQ(rows[0].info, "");
  EXPECT_EQ(rows[2].name, "xgw_t1");
  EXPECT_EQ(rows[2].proto, "BGP");
  EXPECT_EQ(rows[2].state, "up");
  EXPECT_EQ(rows[2].info, "Established");
  EXPECT_EQ(rows[3].since, "2026-11-28 08:01:02");
  EXPECT_EQ(rows[3].state, "start");
  EXPECT_EQ(rows[3].info, "Active Socket: Connection refused");
}

TEST(BirdReply, ReadsTheMedOfEachRouteOfEachTable) {
  BirdReplyReader r;
  for (const char* line : {"1007-Table xgw_t1_routes:",
                           " 192.0.2.128/26       unicast [xgw_t1 08:17:55.085] * (100) [AS64512i]",
                           " \tvia 169.254.100.1 on xgw1", "1008-\tType: BGP univ", "1012-\tBGP.origin: IGP",
                           " \tBGP.as_path: 64512", " \tBGP.next_hop: 169.254.100.1", " \tBGP.med: 200",
                           " \tBGP.local_pref: 100", "1007-", " Table xgw_t2_routes:",
                           " 192.0.2.128/26       unicast [xgw_t2 08:17:55.085] * (100) [AS64512i]",
                           " \tvia 169.254.101.1 on xgw2", "1008-\tType: BGP univ", "1012-\tBGP.origin: IGP",
                           " 10.1.0.0/16       unicast [xgw_t2 08:17:55.085] * (100) [AS64512i]",
                           "1012-\tBGP.med: 7", "0000 "})
    r.feed(line);
  auto meds = parse_route_meds(r.take());
  ASSERT_EQ(meds.size(), 2u);
  const BirdPrefix vpc{0xC0000280u, 26}, other{0x0A010000u, 16};
  EXPECT_EQ(meds["xgw_t1_routes"].at(vpc), 200u);
  EXPECT_EQ(meds["xgw_t2_routes"].at(vpc), 0u);  // no BGP.med: 0
  EXPECT_EQ(meds["xgw_t2_routes"].at(other), 7u);
}

TEST(BirdClient, TalksToARealBird) {
  if (!HaveBird()) GTEST_SKIP() << "bird (Debian bird2) not installed";
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a network namespace";
  TempDir d;
  const std::string ns = "xgwt-bird-" + std::to_string(getpid());
  ASSERT_EQ(std::system(("ip netns add " + ns).c_str()), 0);
  d.write("xgw.conf", render_bird_fragment({Session(1, "a/1", "169.254.100.0/30")}));
  d.write("bird.conf", kBirdConf + d.path("xgw.conf") + "\";\n");
  std::string start = "ip netns exec " + ns + " bird -c " + d.path("bird.conf") + " -s " + d.path("bird.ctl") +
                      " -P " + d.path("bird.pid");
  ASSERT_EQ(std::system(start.c_str()), 0);
  boost::asio::io_context io;
  BirdClient client(io.get_executor(), d.path("bird.ctl"));
  BirdReply r;
  for (int i = 0; i < 50; ++i) {  // bird daemonizes before its socket is there
    r = client.command_blocking("show protocols", std::chrono::milliseconds(1000));
    if (r.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(r.ok()) << r.error;
  bool found = false;
  for (const auto& p : parse_show_protocols(r))
    if (p.name == "xgw_t1") found = p.proto == "BGP";
  EXPECT_TRUE(found);
  // Reconfiguring without sessions removes them.
  d.write("xgw.conf", render_bird_fragment({}));
  BirdReply c = client.command_blocking("configure", std::chrono::milliseconds(2000));
  EXPECT_TRUE(c.ok()) << c.error;
  r = client.command_blocking("show protocols", std::chrono::milliseconds(1000));
  for (const auto& p : parse_show_protocols(r)) EXPECT_NE(p.name, "xgw_t1");
  // An error comes back as one line.
  d.write("xgw.conf", "protocol nonsense {");
  c = client.command_blocking("configure", std::chrono::milliseconds(2000));
  EXPECT_FALSE(c.ok());
  EXPECT_NE(c.error.find("xgw.conf"), std::string::npos) << c.error;

  std::ifstream pidf(d.path("bird.pid"));
  pid_t pid = 0;
  pidf >> pid;
  if (pid > 0) ::kill(pid, SIGTERM);
  std::system(("ip netns del " + ns).c_str());
  // Nobody listening: a clear error naming the socket.
  BirdReply gone = client.command_blocking("show protocols", std::chrono::milliseconds(500));
  for (int i = 0; i < 20 && gone.ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    gone = client.command_blocking("show protocols", std::chrono::milliseconds(500));
  }
  EXPECT_NE(gone.error.find(d.path("bird.ctl")), std::string::npos) << gone.error;
}

}  // namespace
}  // namespace xgw::gwd
