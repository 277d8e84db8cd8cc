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
#include "controller/gwd/state_file.h"
#include "controller/gwd/tunnel_state.h"
#include "ike/engine.h"
#include "ike/random.h"

namespace xgw::gwd {

class KeyLog;
class BgpWatch;

class Gateway {
 public:
  Gateway(boost::asio::io_context& io, config::Config cfg, KernelHandles kernel, ike::Random& rng);
  ~Gateway();

  // Sets up every tunnel's kernel objects, opens the IKE sockets and brings the tunnels up.
  // With an adoptable state file (a previous gwd killed, or stopped with --keep-datapath)
  // it adopts the kernel objects and SAs the file describes and carries on with the same IKE
  // SAs; otherwise it starts fresh.
  void start();
  // Sends Deletes and removes everything start() made (unless keep_kernel_state).
  void stop(bool keep_kernel_state);
  // Applies a new configuration (see reload_plan.h); returns what changed, or throws
  // std::runtime_error (the running configuration stays in force).
  std::string reload(config::Config next);

  nlohmann::json status() const;
  // Counters per tunnel and of the datapath (stats.h).
  nlohmann::json stats() const;
  const config::Config& config() const { return cfg_; }
  // Operator commands; return an error message, or nothing on success.
  std::optional<std::string> set_admin(const std::string& tunnel, bool up);
  std::optional<std::string> failover(const std::string& connection, const std::string& to_tunnel);
  // gwd --keylog: every SA's keys go to these Wireshark tables (keylog.h). Call before start():
  // only tunnels added afterwards report their keys.
  void set_keylog(std::unique_ptr<KeyLog> keylog);

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
  void watch_inbound(TunnelState& t, std::uint32_t spi);
  void inbound_tick();
  void idle_tick();
  void on_kernel_event(const kernel::KernelEvent& e);
  void log_failure(TunnelState& t, const std::string& line, const std::string& reason);
  void on_acquire(const kernel::KernelEvent& e, TunnelState* t);

  // --- BGP connections (gateway_bgp.cpp)
  // Has BIRD run one session per tunnel of every BGP connection (after start and reloads).
  void bgp_sync();
  void on_bgp_session(std::uint32_t tunnel_id, const std::string& info, bool established);
  void on_bgp_routes(std::uint32_t tunnel_id);
  std::uint32_t bgp_med(const TunnelState& t) const;  // lowest MED learned over t; ~0 for none
  int bgp_compare(const TunnelState& a, const TunnelState& b) const;
  void reselect_bgp(ConnectionState& c, const std::string& why);

  // --- lifecycle (gateway_lifecycle.cpp)
  ConnectionState& add_connection(const config::Connection& cfg, const nlohmann::json* saved);
  void remove_connection(std::uint32_t id);
  void activate(ConnectionState& c, const nlohmann::json* saved);
  void setup_tunnel(TunnelState& t, const nlohmann::json* saved);
  void teardown_tunnel(TunnelState& t);
  void start_probe(TunnelState& t);
  // Brings a connection's tunnels up (AWS never initiates IKEv1: the gateway does).
  void bring_up(ConnectionState& c, const std::string& why);
  // On-demand with an idle timeout: no traffic but the liveness probe's for that long.
  void take_down_idle(ConnectionState& c);
  void renegotiate(TunnelState& t, const config::Tunnel& next);
  void save_state();
  void save_state_soon();
  std::uint32_t free_tunnel_id(const nlohmann::json* saved_ids) const;
  std::uint32_t free_connection_id() const;

  TunnelState* tunnel_by_peer(ike::PeerId p);
  TunnelState* tunnel_by_name(const std::string& name);
  TunnelState* tunnel_by_id(std::uint32_t id);
  ConnectionState& connection_of(const TunnelState& t);
  TunnelState& other_tunnel(const TunnelState& t);
  // Chooses the connection's active tunnel after a change; `why` goes to the log.
  void reselect(ConnectionState& c, const std::string& why);
  // `failover`: counted and logged as one (the previous tunnel failed, or operator/reload moved it).
  void set_active(ConnectionState& c, TunnelState& t, const std::string& why, bool failover);
  void install_sa(const ike::EspSa& sa, TunnelState& t, bool inbound);
  bool usable(const TunnelState& t) const;
  // The kernel's counters of the tunnel's active SA pair; nothing without a pair, or while a
  // rekey replaces it (the SA just went away).
  struct PairCounters {
    kernel::SaCounters in, out;
  };
  std::optional<PairCounters> active_pair_counters(const TunnelState& t) const;
  ike::PeerConfig peer_config(const ConnectionState& c, const TunnelState& t) const;

  boost::asio::io_context& io_;
  config::Config cfg_;
  KernelHandles kernel_;
  ike::Engine engine_;
  StateFile state_file_;
  std::optional<nlohmann::json> adopted_;  // the state file found at start, while adopting
  std::unique_ptr<IkeSockets> sockets_;
  std::unique_ptr<KernelEventWatch> kernel_events_;
  std::map<std::uint32_t, TunnelState> tunnels_;          // by tunnel id
  std::map<std::uint32_t, ConnectionState> connections_;  // by connection id
  std::map<ike::TimerId, std::unique_ptr<boost::asio::steady_timer>> timers_;
  boost::asio::steady_timer keepalive_, idle_, inbound_watch_, state_save_;
  bool state_save_armed_ = false;
  bool inbound_watching_ = false;
  bool started_ = false;
  bool dirty_ = false;  // something the state file records changed since it was written
  std::unique_ptr<KeyLog> keylog_;
  std::unique_ptr<BgpWatch> bgp_;  // made once a BGP connection is configured
};

}  // namespace xgw::gwd
