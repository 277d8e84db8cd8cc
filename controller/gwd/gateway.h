#pragma once
// The gateway: joins the IKE engine, the kernel (XFRM, policy routing) and the BPF datapath.
// Keeps both tunnels of every connection up and steers each connection's LAN traffic into
// its active tunnel; a failover is one datapath map update.
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "controller/config/config.h"
#include "controller/gwd/ike_sockets.h"
#include "controller/gwd/kernel_events.h"
#include "controller/gwd/liveness.h"
#include "controller/gwd/plumbing.h"
#include "controller/gwd/tunnel_state.h"
#include "ike/engine.h"
#include "ike/random.h"

namespace xgw::gwd {

class Gateway {
 public:
  Gateway(boost::asio::io_context& io, config::Config cfg, KernelHandles kernel, ike::Random& rng);
  ~Gateway();

  // Sets up every tunnel's kernel objects, opens the IKE sockets and initiates every tunnel.
  void start();
  // Sends Deletes and removes everything start() made (unless keep_kernel_state).
  void stop(bool keep_kernel_state);

  nlohmann::json status() const;
  // Operator commands; return an error message, or nothing on success.
  std::optional<std::string> set_admin(const std::string& tunnel, bool up);
  std::optional<std::string> failover(const std::string& connection, const std::string& to_tunnel);

 private:
  ike::Millis now() const;
  void drain();  // executes the engine's pending actions
  void execute(const ike::Action& a);
  void on_event(const ike::Event& e);
  void on_install(const ike::InstallSaPair& a);
  void on_switch(const ike::SwitchOutbound& a);
  void on_delete(const ike::DeleteSaPair& a);
  void on_update_encap(const ike::UpdateSaEncap& u);
  void delete_sa(const TunnelState& t, kernel::Addr4 dst, std::uint32_t spi, const char* direction);
  void arm(ike::TimerId id, ike::Millis at);
  void cancel(ike::TimerId id);
  void keepalive_tick();
  void on_kernel_event(const kernel::KernelEvent& e);

  TunnelState* tunnel_by_peer(ike::PeerId p);
  TunnelState* tunnel_by_name(const std::string& name);
  ConnectionState& connection_of(const TunnelState& t);
  TunnelState& other_tunnel(const TunnelState& t);
  // Chooses the connection's active tunnel after a change; `why` goes to the log.
  void reselect(ConnectionState& c, const std::string& why);
  void set_active(ConnectionState& c, TunnelState& t, const std::string& why);
  void install_sa(const ike::EspSa& sa, TunnelState& t, bool inbound);
  bool usable(const TunnelState& t) const;
  std::size_t index_of(const TunnelState& t) const { return static_cast<std::size_t>(&t - tunnels_.data()); }

  boost::asio::io_context& io_;
  config::Config cfg_;
  KernelHandles kernel_;
  ike::Engine engine_;
  std::unique_ptr<IkeSockets> sockets_;
  std::unique_ptr<KernelEventWatch> kernel_events_;
  std::vector<TunnelState> tunnels_;
  std::vector<std::unique_ptr<LivenessProbe>> probes_;  // one per tunnel, same index
  std::vector<ConnectionState> connections_;
  std::map<ike::TimerId, std::unique_ptr<boost::asio::steady_timer>> timers_;
  boost::asio::steady_timer keepalive_;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  bool started_ = false;
};

}  // namespace xgw::gwd
