#include "core/daemon/pid_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace holdfast::daemon {

std::expected<PidFile, std::string> PidFile::acquire(const std::string& path) {
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);

  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return std::unexpected("cannot open pid file " + path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      std::string holder = n > 0 ? std::string(buf, strcspn(buf, "\n")) : "unknown";
      return std::unexpected("another holdfastd (pid " + holder + ") is running with pid file " +
                             path + "; refusing to start a second one");
    }
    return std::unexpected("cannot lock pid file " + path + ": " + std::strerror(err));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    int err = errno;
    ::close(fd);
    return std::unexpected("cannot write pid file " + path + ": " + std::strerror(err));
  }
  return PidFile(path, fd);
}

PidFile::PidFile(PidFile&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

PidFile::~PidFile() {
  if (fd_ < 0) return;
  // Unlink while still holding the lock, so a new run never sees our stale file.
  ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace holdfast::daemon
