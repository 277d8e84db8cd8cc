#include "controller/gwd/state_file.h"

#include "controller/gwd/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace xgw::gwd {
std::string current_boot_id() {
  std::ifstream f("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(f, id);
  return id;
}

StateFile::StateFile(const std::string& state_dir) : dir_(state_dir), path_(state_dir + "/gwd-state.json") {}

std::optional<nlohmann::json> StateFile::load(std::string& why) const {
  why.clear();
  std::ifstream f(path_);
  if (!f) return std::nullopt;
  std::stringstream text;
  text << f.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    why = path_ + " is not valid JSON";
    return std::nullopt;
  }
  if (j.value("version", 0) != kVersion) {
    why = path_ + " has version " + std::to_string(j.value("version", 0)) + ", this gwd reads " +
          std::to_string(kVersion);
    return std::nullopt;
  }
  if (j.value("boot_id", "") != current_boot_id()) {
    why = path_ + " was written before the last reboot: the kernel state it describes is gone";
    return std::nullopt;
  }
  return j;
}

void StateFile::save(nlohmann::json state) const {
  state["version"] = kVersion;
  state["boot_id"] = current_boot_id();
  // The directory may be under /run, which a reboot empties: create the whole path.
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_)) {
    std::filesystem::create_directories(dir_, ec);
    if (ec) throw std::runtime_error("state file: create directory " + dir_ + ": " + ec.message());
    ::chmod(dir_.c_str(), 0700);
  }
  try {
    write_file_atomic(path_, state.dump(), 0600);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("state file: ") + e.what());
  }
}

void StateFile::remove() const { ::unlink(path_.c_str()); }

}  // namespace xgw::gwd
