#pragma once
// gwd's persistent state (state_dir/gwd-state.json): for each tunnel its ids and the IKE
// engine's snapshot (ISAKMP and ESP SAs with their keys), for each connection its active
// tunnel. Written after every change, atomically (temporary file, fsync, rename), mode 0600
// in a 0700 directory since it holds key material. A restarted gwd (kill -9, upgrade with
// --keep-datapath) adopts the kernel state it describes; a clean stop removes it.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace xgw::gwd {

class StateFile {
 public:
  explicit StateFile(const std::string& state_dir);
  const std::string& path() const { return path_; }
  // The saved state when it is adoptable: same boot (the kernel state of another boot is gone)
  // and a version this gwd reads. Otherwise nothing, with the reason in `why` (empty when
  // there is no file at all).
  std::optional<nlohmann::json> load(std::string& why) const;
  // Throws std::runtime_error naming the path on failure.
  void save(nlohmann::json state) const;
  void remove() const;

  static constexpr int kVersion = 1;

 private:
  std::string dir_, path_;
};

// This boot's identity (/proc/sys/kernel/random/boot_id); empty when unreadable.
std::string current_boot_id();

}  // namespace xgw::gwd
