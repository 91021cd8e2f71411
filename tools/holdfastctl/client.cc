#include "tools/holdfastctl/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace holdfast::ctl {

std::expected<Client, std::string> Client::connect(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return std::unexpected("socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    ::close(fd);
    std::string hint = e == ENOENT || e == ECONNREFUSED ? " (is holdfastd running?)"
                       : e == EACCES                    ? " (the socket is root-only)"
                                                        : "";
    return std::unexpected("cannot connect to " + path + ": " + std::strerror(e) + hint);
  }
  return Client(fd, path);
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

std::expected<void, std::string> Client::send(const nlohmann::json& request) {
  const std::string line = request.dump() + "\n";
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::send(fd_, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::unexpected("cannot write to " + path_ + ": " + std::strerror(errno));
    off += static_cast<size_t>(n);
  }
  return {};
}

std::expected<nlohmann::json, std::string> Client::receive(int timeoutMs) {
  while (true) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded()) return std::unexpected("holdfastd sent a line that is not JSON");
      return j;
    }
    pollfd pfd{fd_, POLLIN, 0};
    int rc = ::poll(&pfd, 1, timeoutMs);
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) return std::unexpected("no answer from holdfastd within the timeout");
    char buf[65536];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected("cannot read from " + path_ + ": " + std::strerror(errno));
    if (n == 0) return std::unexpected("holdfastd closed the connection");
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace holdfast::ctl
