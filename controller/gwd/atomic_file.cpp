#include "controller/gwd/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace xgw::gwd {

namespace {
std::runtime_error io_error(const char* what, const std::string& path) {
  return std::runtime_error(std::string(what) + " " + path + ": " + std::strerror(errno));
}
}  // namespace

void write_file_atomic(const std::string& path, const std::string& text, mode_t mode) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw io_error("create", tmp);
  ::fchmod(fd, mode);  // an older file may have been created with other bits
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      throw io_error("write", tmp);
    }
    done += static_cast<std::size_t>(n);
  }
  // The rename must not become visible before the data: a crash in between would leave an
  // empty file where a good one was.
  if (::fsync(fd) != 0) {
    ::close(fd);
    throw io_error("fsync", tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw io_error("rename to", path);
}

}  // namespace xgw::gwd
