#include "netio/file_watch.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace holdfast::netio {

namespace asio = boost::asio;

namespace {
std::string errnoText(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}
}  // namespace

std::expected<std::unique_ptr<FileWatch>, std::string> FileWatch::open(
    asio::io_context& io, const std::string& path, std::function<void()> changed) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty()) return std::unexpected("'" + path + "' names no file");
  // keepalived resolves the directory once (realpath): a symlinked directory is
  // watched where it points at start.
  char resolved[PATH_MAX];
  if (::realpath(dir.c_str(), resolved) == nullptr) {
    return std::unexpected("directory " + dir + ": " + std::strerror(errno));
  }
  const int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) return std::unexpected(errnoText("inotify_init1"));
  if (::inotify_add_watch(fd, resolved,
                          IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |
                              IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
    const std::string why = errnoText("inotify_add_watch");
    ::close(fd);
    return std::unexpected("directory " + std::string(resolved) + ": " + why);
  }
  std::string full = std::string(resolved) + (std::string(resolved) == "/" ? "" : "/") + name;
  std::unique_ptr<FileWatch> w(new FileWatch(io, fd, std::move(full), name, std::move(changed)));
  w->arm();
  return w;
}

FileWatch::FileWatch(asio::io_context& io, int fd, std::string path, std::string name,
                     std::function<void()> changed)
    : inotify_(io, fd),
      path_(std::move(path)),
      name_(std::move(name)),
      changed_(std::move(changed)) {}

FileWatch::~FileWatch() {
  *alive_ = false;
  boost::system::error_code ec;
  inotify_.close(ec);
}

void FileWatch::arm() {
  inotify_.async_wait(asio::posix::stream_descriptor::wait_read,
                      [this, alive = alive_](const boost::system::error_code& ec) {
                        if (ec || !*alive) return;
                        drain();
                        if (*alive) arm();
                      });
}

void FileWatch::drain() {
  alignas(inotify_event) char buf[16 * (sizeof(inotify_event) + NAME_MAX + 1)];
  bool ours = false;
  for (int round = 0; round < 64; ++round) {  // bounded: the descriptor is non-blocking
    const ssize_t n = ::read(inotify_.native_handle(), buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      // Events on the directory itself (deleted, moved) are ours too: re-read.
      if ((ev->len > 0 && name_ == ev->name) ||
          (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW))) {
        ours = true;
      }
    }
  }
  if (ours && changed_) changed_();
}

std::expected<std::optional<std::string>, std::string> FileWatch::read(size_t limit) const {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::string>{};
    return std::unexpected(errnoText("open"));
  }
  std::string out(limit, '\0');
  const ssize_t n = ::read(fd, out.data(), limit);
  const int err = errno;
  ::close(fd);
  if (n < 0) return std::unexpected(std::string("read: ") + std::strerror(err));
  out.resize(static_cast<size_t>(n));
  return std::optional<std::string>{std::move(out)};
}

std::expected<void, std::string> FileWatch::write(const std::string& content) const {
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return std::unexpected(errnoText(("open " + path_).c_str()));
  const ssize_t n = ::write(fd, content.data(), content.size());
  const int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(content.size())) {
    return std::unexpected("write " + path_ + ": " + std::strerror(err));
  }
  return {};
}

}  // namespace holdfast::netio
