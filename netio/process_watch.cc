#include "netio/process_watch.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace holdfast::netio {

namespace asio = boost::asio;

namespace {

// The content of a small /proc file, or nullopt.
std::optional<std::string> slurp(const std::string& path, size_t limit) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out(limit, '\0');
  const ssize_t n = ::read(fd, out.data(), limit);
  ::close(fd);
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

std::optional<ProcessEntry> readProcess(pid_t pid, bool cmdline) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/";
  // "PID (COMM) S ...": the comm may hold blanks and parentheses; it ends at the last ')'.
  auto stat = slurp(dir + "stat", 512);
  if (!stat) return std::nullopt;
  const size_t open = stat->find('(');
  const size_t close = stat->rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  if (close + 2 < stat->size() && (*stat)[close + 2] == 'Z') return std::nullopt;  // a zombie
  ProcessEntry e{pid, stat->substr(open + 1, close - open - 1), ""};
  if (cmdline) {
    auto c = slurp(dir + "cmdline", 4096);
    if (!c) return std::nullopt;
    e.cmdline = std::move(*c);
  }
  return e;
}

std::vector<ProcessEntry> scanProcesses(bool cmdline) {
  std::vector<ProcessEntry> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (const dirent* ent = ::readdir(d)) {
    if (ent->d_name[0] < '1' || ent->d_name[0] > '9') continue;
    if (auto e = readProcess(static_cast<pid_t>(std::atoi(ent->d_name)), cmdline)) {
      out.push_back(std::move(*e));
    }
  }
  ::closedir(d);
  return out;
}

struct ProcessWatch::Exit {
  asio::posix::stream_descriptor fd;
};

ProcessWatch::ProcessWatch(asio::io_context& io, bool cmdline, Seen seen, Exited exited)
    : io_(io),
      cmdline_(cmdline),
      seen_(std::move(seen)),
      exited_(std::move(exited)),
      scanTimer_(io) {}

ProcessWatch::~ProcessWatch() {
  *alive_ = false;
  scanTimer_.cancel();
  exits_.clear();
  connector_.reset();
}

void ProcessWatch::start() {
  const bool listening = openConnector();
  scan(true);
  if (listening) {
    readConnector();
  } else {
    scanLater();
  }
}

std::string ProcessWatch::how() const {
  // netio does not log: the runtime logs this once.
  return connector_ ? "the proc connector"
                    : "a /proc scan every " + std::to_string(kScanInterval.count()) +
                          " ms (the proc connector: " + connectorError_ +
                          "; it answers only in the initial network namespace)";
}

bool ProcessWatch::watchExit(pid_t pid) {
  if (exits_.contains(pid)) return true;
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return false;  // ESRCH: gone already
  auto exit = std::make_unique<Exit>(Exit{asio::posix::stream_descriptor(io_, fd)});
  exit->fd.async_wait(asio::posix::stream_descriptor::wait_read,
                      [this, pid, alive = alive_](const boost::system::error_code& ec) {
                        if (ec || !*alive) return;
                        exits_.erase(pid);
                        known_.erase(pid);
                        exited_(pid);
                      });
  exits_[pid] = std::move(exit);
  return true;
}

void ProcessWatch::unwatch(pid_t pid) {
  exits_.erase(pid);  // closing the descriptor cancels its wait
}

void ProcessWatch::scanLater() {
  scanTimer_.expires_after(kScanInterval);
  scanTimer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    scan(false);
    scanLater();
  });
}

void ProcessWatch::scan(bool everything) {
  // Without the connector only a new pid or a new comm (an exec, a rename) is news;
  // the cmdline of the others is not read again.
  std::map<pid_t, std::string> now;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return;
  std::vector<ProcessEntry> news;
  while (const dirent* ent = ::readdir(d)) {
    if (ent->d_name[0] < '1' || ent->d_name[0] > '9') continue;
    const auto pid = static_cast<pid_t>(std::atoi(ent->d_name));
    auto e = readProcess(pid, false);
    if (!e) continue;
    auto old = known_.find(pid);
    const bool fresh = everything || old == known_.end() || old->second != e->comm;
    now[pid] = e->comm;
    if (!fresh) continue;
    if (cmdline_) {
      e = readProcess(pid, true);
      if (!e) continue;
    }
    news.push_back(std::move(*e));
  }
  ::closedir(d);
  known_ = std::move(now);
  for (const auto& e : news) seen_(e);
}

bool ProcessWatch::openConnector() {
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
  if (fd < 0) {
    connectorError_ = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = CN_IDX_PROC;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    connectorError_ = std::string("bind: ") + std::strerror(errno);
    ::close(fd);
    return false;
  }
  // nlmsghdr, cn_msg, then the operation (cn_msg ends in a flexible array).
  constexpr size_t kPayload = sizeof(cn_msg) + sizeof(proc_cn_mcast_op);
  alignas(nlmsghdr) char msg[NLMSG_SPACE(kPayload)] = {};
  auto* nl = reinterpret_cast<nlmsghdr*>(msg);
  nl->nlmsg_len = NLMSG_LENGTH(kPayload);
  nl->nlmsg_type = NLMSG_DONE;
  nl->nlmsg_pid = static_cast<__u32>(::getpid());
  cn_msg cn{};
  cn.id.idx = CN_IDX_PROC;
  cn.id.val = CN_VAL_PROC;
  cn.len = sizeof(proc_cn_mcast_op);
  const proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;
  std::memcpy(NLMSG_DATA(nl), &cn, sizeof cn);
  std::memcpy(static_cast<char*>(NLMSG_DATA(nl)) + sizeof cn, &op, sizeof op);
  if (::send(fd, msg, nl->nlmsg_len, 0) < 0) {
    // Outside the initial network namespace the kernel refuses: ECONNREFUSED.
    connectorError_ = std::string("listen: ") + std::strerror(errno);
    ::close(fd);
    return false;
  }
  connector_ = std::make_unique<asio::posix::stream_descriptor>(io_, fd);
  return true;
}

void ProcessWatch::readConnector() {
  connector_->async_wait(
      asio::posix::stream_descriptor::wait_read,
      [this, alive = alive_](const boost::system::error_code& ec) {
        if (ec || !*alive) return;
        alignas(nlmsghdr) char buf[8192];
        bool lost = false;
        std::vector<pid_t> look;
        for (int round = 0; round < 256; ++round) {  // bounded: non-blocking socket
          const ssize_t got = ::recv(connector_->native_handle(), buf, sizeof buf, 0);
          if (got < 0) {
            lost = lost || errno == ENOBUFS;
            break;
          }
          auto n = static_cast<size_t>(got);
          for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            const auto* cn = static_cast<const cn_msg*>(NLMSG_DATA(h));
            if (cn->id.idx != CN_IDX_PROC || cn->len < sizeof(proc_event)) continue;
            // cn_msg's data follows a 20-byte header: proc_event (8-byte aligned) is
            // copied out rather than read in place (misaligned access is UB).
            proc_event event;
            std::memcpy(&event, cn->data, sizeof event);
            const proc_event* ev = &event;
            switch (ev->what) {
              case proc_event::PROC_EVENT_FORK:
                // A child of a counted process (keepalived counts forks too); threads not.
                if (ev->event_data.fork.child_pid == ev->event_data.fork.child_tgid &&
                    exits_.contains(ev->event_data.fork.parent_tgid)) {
                  look.push_back(ev->event_data.fork.child_pid);
                }
                break;
              case proc_event::PROC_EVENT_EXEC:
                look.push_back(ev->event_data.exec.process_tgid);
                break;
              case proc_event::PROC_EVENT_COMM:
                if (ev->event_data.comm.process_pid == ev->event_data.comm.process_tgid) {
                  look.push_back(ev->event_data.comm.process_tgid);
                }
                break;
              default:
                break;
            }
          }
        }
        if (lost) {
          ++lost_;
          scan(true);  // events were dropped (ENOBUFS): count afresh
        }
        for (pid_t pid : look) {
          if (auto e = readProcess(pid, cmdline_)) seen_(*e);
        }
        if (*alive) readConnector();
      });
}

}  // namespace holdfast::netio
