#pragma once
// A pid file held with an exclusive lock for the life of the process, so that a
// second holdfastd on the same pid file refuses to start instead of fighting the
// first over the VIPs. The lock, not the file's existence, is what counts: a file
// left by a crashed run is taken over.

#include <expected>
#include <string>

namespace holdfast::daemon {

class PidFile {
 public:
  // Creates (or takes over) `path`, locks it and writes our pid. The error says which
  // process holds it, when another one does.
  static std::expected<PidFile, std::string> acquire(const std::string& path);

  PidFile(PidFile&& other) noexcept;
  PidFile& operator=(PidFile&&) = delete;
  ~PidFile();  // removes the file and releases the lock

 private:
  PidFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

}  // namespace holdfast::daemon
