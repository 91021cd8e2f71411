#include "core/control/control_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>

#include "core/control/render.h"
#include "core/log/event_log.h"
#include "core/log/logger.h"
#include "netio/duration_text.h"

namespace holdfast::control {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;
using nlohmann::json;

namespace {
json errorReply(const std::string& what) {
  return json{{"ok", false}, {"error", what}};
}
}  // namespace

class ControlServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ControlServer& server, stream::socket socket)
      : server_(server),
        alive_(server.alive_),
        socket_(std::move(socket)),
        buffer_(kMaxRequestBytes + 1),
        idle_(server.io_),
        replyTimer_(server.io_) {}

  void start() {
    armIdle();
    read();
  }

  // Sends and then closes (too many clients, request too long).
  void refuse(const json& j) {
    closeAfterWrite_ = true;
    send(j);
  }

  void send(const json& j) {
    if (closed_) return;
    std::string line = j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    queued_ += line.size();
    if (queued_ > kMaxQueuedBytes) {
      ++server_.counters_.slowDropped;
      log::debug("control: dropping a client that does not read its replies");
      close();
      return;
    }
    out_.push_back(std::move(line));
    if (!writing_) write();
  }

  void publish() {
    if (!follow_ || closed_) return;
    for (const auto& e : log::events().since(lastSeq_)) {
      lastSeq_ = e.seq;
      send(json{{"event", eventJson(e)}});
    }
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    idle_.cancel();
    replyTimer_.cancel();
    if (*alive_) server_.sessions_.erase(shared_from_this());
  }

 private:
  void armIdle() {
    idle_.expires_after(kIdleTimeout);
    idle_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || !*self->alive_ || self->busy_ || self->follow_) return;
      ++self->server_.counters_.idleClosed;
      self->refuse(errorReply("idle for " + netio::formatDuration(kIdleTimeout) + "; closing"));
    });
  }

  void read() {
    asio::async_read_until(
        socket_, buffer_, '\n',
        [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
          if (!*self->alive_ || self->closed_) return;
          if (ec == asio::error::not_found) {
            ++self->server_.counters_.tooLong;
            self->refuse(errorReply(requestTooLong() + "; closing"));
            return;
          }
          if (ec) {
            self->close();
            return;
          }
          std::string line(asio::buffers_begin(self->buffer_.data()),
                           asio::buffers_begin(self->buffer_.data()) + static_cast<ptrdiff_t>(n));
          self->buffer_.consume(n);
          line.pop_back();  // '\n'
          if (!line.empty() && line.back() == '\r') line.pop_back();
          self->onLine(line);
        });
  }

  void onLine(const std::string& line) {
    if (follow_) {  // a follower's further input is ignored
      read();
      return;
    }
    auto req = parseRequest(line);
    if (!req) {
      ++server_.counters_.badRequests;
      send(errorReply(req.error()));
      armIdle();
      read();
      return;
    }
    ++server_.counters_.requests;
    if (req->command == Command::kEvents) {
      // The event log is process-wide: answered here, no runtime involved.
      json list = json::array();
      for (const auto& e : log::events().since(0, req->limit)) list.push_back(eventJson(e));
      lastSeq_ = log::events().lastSeq();
      send(json{{"ok", true}, {"events", list}, {"follow", req->follow}});
      follow_ = req->follow;
      if (follow_) {
        idle_.cancel();
        publish();  // anything appended meanwhile
      } else {
        armIdle();
      }
      read();  // notices the client closing
      return;
    }
    busy_ = true;
    idle_.cancel();
    const uint64_t token = ++token_;
    replyTimer_.expires_after(kReplyTimeout);
    replyTimer_.async_wait([self = shared_from_this(), token](const boost::system::error_code& ec) {
      if (ec || !*self->alive_ || token != self->token_ || !self->busy_) return;
      ++self->server_.counters_.replyTimeouts;
      self->finish(
          errorReply("holdfastd did not answer within " + netio::formatDuration(kReplyTimeout)));
    });
    std::weak_ptr<Session> weak = shared_from_this();
    asio::io_context& io = server_.io_;
    server_.handler_(*req, [weak, token, &io](json reply) {
      asio::post(io, [weak, token, reply = std::move(reply)]() mutable {
        auto self = weak.lock();
        if (!self || !*self->alive_ || token != self->token_ || !self->busy_) return;
        self->finish(std::move(reply));
      });
    });
  }

  void finish(json reply) {
    busy_ = false;
    replyTimer_.cancel();
    ++token_;  // a late reply to this request is dropped
    send(reply);
    armIdle();
    read();
  }

  void write() {
    writing_ = true;
    asio::async_write(socket_, asio::buffer(out_.front()),
                      [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                        if (!*self->alive_ || self->closed_) return;
                        self->writing_ = false;
                        if (ec) {
                          self->close();
                          return;
                        }
                        self->queued_ -= self->out_.front().size();
                        self->out_.pop_front();
                        if (!self->out_.empty()) {
                          self->write();
                        } else if (self->closeAfterWrite_) {
                          self->close();
                        }
                      });
  }

  ControlServer& server_;
  std::shared_ptr<bool> alive_;
  stream::socket socket_;
  asio::streambuf buffer_;
  asio::steady_timer idle_;
  asio::steady_timer replyTimer_;
  std::deque<std::string> out_;
  size_t queued_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  bool closeAfterWrite_ = false;
  bool busy_ = false;    // a request is with the daemon
  bool follow_ = false;  // events -f
  uint64_t token_ = 0;
  uint64_t lastSeq_ = 0;
};

ControlServer::ControlServer(asio::io_context& io, std::string path, Handler handler)
    : io_(io),
      path_(std::move(path)),
      handler_(std::move(handler)),
      acceptor_(io),
      retry_(io),
      alive_(std::make_shared<bool>(true)) {}

std::expected<std::unique_ptr<ControlServer>, std::string> ControlServer::open(
    asio::io_context& io, const std::string& path, Handler handler) {
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    return std::unexpected("control socket path too long: " + path);
  }
  std::error_code fec;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty() && !std::filesystem::exists(dir, fec)) {
    if (!std::filesystem::create_directories(dir, fec)) {
      return std::unexpected("cannot create " + dir.string() + ": " + fec.message());
    }
    ::chmod(dir.c_str(), 0755);
  }
  // The pid file guarantees one holdfastd: a socket file left here is stale.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return std::unexpected("control socket path " + path + " exists and is not a socket");
    }
    ::unlink(path.c_str());
  }
  std::unique_ptr<ControlServer> s(new ControlServer(io, path, std::move(handler)));
  boost::system::error_code ec;
  s->acceptor_.open(stream(), ec);
  // Only root may connect: the socket is created 0600 (no window with a wider mode).
  const mode_t old = ::umask(0177);
  if (!ec) s->acceptor_.bind(stream::endpoint(path), ec);
  ::umask(old);
  if (!ec) s->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::unexpected("control socket " + path + ": " + ec.message());
  ::chmod(path.c_str(), 0600);
  s->accept();
  return s;
}

ControlServer::~ControlServer() {
  *alive_ = false;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
  for (const auto& s : std::set(sessions_)) s->close();
  sessions_.clear();
  ::unlink(path_.c_str());
}

void ControlServer::accept() {
  acceptor_.async_accept(
      [this, alive = alive_](const boost::system::error_code& ec, stream::socket socket) {
        if (!*alive) return;
        if (ec) {
          if (ec == asio::error::operation_aborted) return;
          // Out of descriptors, say: try again a little later, not in a tight loop.
          log::warning("control: accept: " + ec.message() + "; retrying in " +
                       netio::formatDuration(kAcceptRetry));
          retry_.expires_after(kAcceptRetry);
          retry_.async_wait([this, alive](const boost::system::error_code& e) {
            if (!e && *alive) accept();
          });
          return;
        }
        ++counters_.accepted;
        auto session = std::make_shared<Session>(*this, std::move(socket));
        sessions_.insert(session);
        if (sessions_.size() > kMaxClients) {
          ++counters_.refusedFull;
          session->refuse(
              errorReply("too many clients (" + std::to_string(kMaxClients) + "); try again"));
        } else {
          session->start();
        }
        accept();
      });
}

void ControlServer::publishEvents() {
  for (const auto& s : std::set(sessions_)) s->publish();
}

}  // namespace holdfast::control
