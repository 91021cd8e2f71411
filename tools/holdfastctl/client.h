#pragma once
// holdfastctl's side of the control socket: one connection, JSON lines.

#include <expected>
#include <nlohmann/json.hpp>
#include <string>

namespace holdfast::ctl {

class Client {
 public:
  // An error says what failed and what to check.
  static std::expected<Client, std::string> connect(const std::string& path);
  Client(Client&& o) noexcept
      : fd_(o.fd_), path_(std::move(o.path_)), buffer_(std::move(o.buffer_)) {
    o.fd_ = -1;
  }
  Client& operator=(Client&&) = delete;
  ~Client();

  std::expected<void, std::string> send(const nlohmann::json& request);
  // The next line as JSON; waits up to `timeoutMs` (-1: for ever).
  std::expected<nlohmann::json, std::string> receive(int timeoutMs);

 private:
  Client(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
  std::string buffer_;
};

}  // namespace holdfast::ctl
