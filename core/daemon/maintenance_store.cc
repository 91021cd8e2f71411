#include "core/daemon/maintenance_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace holdfast::daemon {

namespace {

std::string errnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

std::string maintenancePath(const std::string& stateDir) {
  return (std::filesystem::path(stateDir) / "maintenance.json").string();
}

std::expected<std::optional<runtime::Maintenance>, std::string> loadMaintenance(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    return std::unexpected(errnoText("cannot read", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  const auto j = nlohmann::json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return std::unexpected(path + ": not a JSON object");
  }
  runtime::Maintenance m;
  auto str = [&](const char* key, std::string& out) -> bool {
    auto it = j.find(key);
    if (it == j.end()) return true;
    if (!it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  if (!str("reason", m.reason) || !str("by", m.by)) {
    return std::unexpected(path + ": \"reason\" and \"by\" must be strings");
  }
  auto since = j.find("since_unix_ms");
  if (since == j.end() || !since->is_number_integer()) {
    return std::unexpected(path + ": \"since_unix_ms\" must be a number");
  }
  m.since =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(since->get<long long>()));
  return m;
}

std::expected<void, std::string> saveMaintenance(const std::string& path,
                                                 const std::optional<runtime::Maintenance>& m) {
  if (!m) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return std::unexpected(errnoText("cannot remove", path));
    }
    return {};
  }
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return std::unexpected("cannot create " + dir.string() + ": " + ec.message());
  const nlohmann::json j{
      {"reason", m->reason},
      {"by", m->by},
      {"since_unix_ms",
       std::chrono::duration_cast<std::chrono::milliseconds>(m->since.time_since_epoch()).count()},
      {"since", runtime::describe(*m)}};
  const std::string text = j.dump(2) + "\n";
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return std::unexpected(errnoText("cannot write", tmp));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  const std::string writeError = written ? "" : errnoText("cannot write", tmp);
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    return std::unexpected(writeError);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string e = errnoText("cannot rename " + tmp + " to", path);
    ::unlink(tmp.c_str());
    return std::unexpected(e);
  }
  return {};
}

}  // namespace holdfast::daemon
