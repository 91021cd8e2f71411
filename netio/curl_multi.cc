#include "netio/curl_multi.h"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

namespace holdfast::netio {

namespace asio = boost::asio;

// One socket curl asked us to watch: what it wants now and whether a wait for each
// direction is already queued on the loop.
struct CurlMulti::Watch {
  Watch(asio::io_context& io, curl_socket_t fd) : fd(fd), descriptor(io, fd) {}
  curl_socket_t fd;
  asio::posix::stream_descriptor descriptor;
  int wanted = 0;  // CURL_POLL_IN / OUT / INOUT, 0 while curl does not care
  bool waitingRead = false;
  bool waitingWrite = false;
  bool closed = false;
};

CurlMulti::CurlMulti(asio::io_context& io) : io_(io), multi_(curl_multi_init()), timer_(io) {
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMulti::onSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMulti::onTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlMulti::~CurlMulti() {
  for (auto& [easy, done] : transfers_) curl_multi_remove_handle(multi_, easy);
  transfers_.clear();
  for (CURL* easy : idle_) curl_easy_cleanup(easy);
  idle_.clear();
  curl_multi_cleanup(multi_);  // closes cached connections through onClose
  for (auto& [fd, w] : watches_) {
    w->closed = true;
    boost::system::error_code ignored;
    w->descriptor.close(ignored);
  }
}

CURL* CurlMulti::acquire(bool abortiveClose) {
  CURL* easy = nullptr;
  if (idle_.empty()) {
    easy = curl_easy_init();
  } else {
    easy = idle_.back();
    idle_.pop_back();
  }
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CurlMulti::onClose);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  if (abortiveClose) curl_easy_setopt(easy, CURLOPT_SOCKOPTFUNCTION, &CurlMulti::onSockopt);
  return easy;
}

void CurlMulti::release(CURL* easy) {
  remove(easy);
  if (idle_.size() < kIdleHandles) {
    // Reset now: the handle must not keep pointers into the check that used it.
    curl_easy_reset(easy);
    idle_.push_back(easy);
  } else {
    curl_easy_cleanup(easy);
  }
}

int CurlMulti::onSockopt(void*, curl_socket_t s, curlsocktype) {
  linger l{1, 0};
  ::setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  return CURL_SOCKOPT_OK;
}

void CurlMulti::add(CURL* easy, Done done) {
  transfers_[easy] = std::move(done);
  curl_multi_add_handle(multi_, easy);  // arms the timer through onTimer
}

void CurlMulti::remove(CURL* easy) {
  if (transfers_.erase(easy)) curl_multi_remove_handle(multi_, easy);
}

int CurlMulti::onSocket(CURL*, curl_socket_t s, int what, void* self, void*) {
  auto* m = static_cast<CurlMulti*>(self);
  auto it = m->watches_.find(s);
  if (what == CURL_POLL_REMOVE) {
    // The socket may stay open (a reused connection): keep the descriptor until
    // onClose, but stop waking curl for it.
    if (it != m->watches_.end()) it->second->wanted = 0;
    return 0;
  }
  if (it == m->watches_.end()) {
    it = m->watches_.emplace(s, std::make_shared<Watch>(m->io_, s)).first;
  }
  it->second->wanted = what;
  m->arm(it->second);
  return 0;
}

int CurlMulti::onClose(void* self, curl_socket_t s) {
  auto* m = static_cast<CurlMulti*>(self);
  auto it = m->watches_.find(s);
  if (it == m->watches_.end()) return ::close(s);
  it->second->closed = true;
  boost::system::error_code ec;
  it->second->descriptor.close(ec);  // deregisters from the loop, then closes
  m->watches_.erase(it);
  return 0;
}

int CurlMulti::onTimer(CURLM*, long timeoutMs, void* self) {
  auto* m = static_cast<CurlMulti*>(self);
  if (timeoutMs < 0) {
    m->deadline_.reset();  // an armed wait finds nothing to do
    return 0;
  }
  if (timeoutMs == 0) {
    // "As soon as possible" (after every add): a posted call, not a timer that
    // would reprogram the loop's timerfd for each transfer.
    m->deadline_.reset();
    if (!m->kickPosted_) {
      m->kickPosted_ = true;
      asio::post(m->io_, [m] {
        m->kickPosted_ = false;
        m->action(CURL_SOCKET_TIMEOUT, 0);
      });
    }
    return 0;
  }
  // curl moves its deadline on almost every call. The wait is re-armed only when
  // the new deadline is earlier; a wait that wakes before the deadline re-arms
  // itself. Never call back into curl from inside its callback.
  m->deadline_ = Clock::now() + std::chrono::milliseconds(timeoutMs);
  if (!m->timerArmed_ || *m->deadline_ < m->armedFor_) m->armTimer(*m->deadline_);
  return 0;
}

void CurlMulti::armTimer(Clock::time_point at) {
  timerArmed_ = true;
  armedFor_ = at;
  timer_.expires_at(at);  // cancels a wait for a later time
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // replaced by an earlier deadline
    timerArmed_ = false;
    if (!deadline_) return;
    if (*deadline_ > Clock::now()) {
      armTimer(*deadline_);
      return;
    }
    deadline_.reset();
    action(CURL_SOCKET_TIMEOUT, 0);
  });
}

void CurlMulti::arm(const std::shared_ptr<Watch>& w) {
  if ((w->wanted & CURL_POLL_IN) && !w->waitingRead) {
    w->waitingRead = true;
    w->descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                             [this, w](const boost::system::error_code& ec) {
                               w->waitingRead = false;
                               if (ec || w->closed || !(w->wanted & CURL_POLL_IN)) return;
                               action(w->fd, CURL_CSELECT_IN);
                               if (!w->closed) arm(w);
                             });
  }
  if ((w->wanted & CURL_POLL_OUT) && !w->waitingWrite) {
    w->waitingWrite = true;
    w->descriptor.async_wait(asio::posix::stream_descriptor::wait_write,
                             [this, w](const boost::system::error_code& ec) {
                               w->waitingWrite = false;
                               if (ec || w->closed || !(w->wanted & CURL_POLL_OUT)) return;
                               action(w->fd, CURL_CSELECT_OUT);
                               if (!w->closed) arm(w);
                             });
  }
}

void CurlMulti::action(curl_socket_t s, int events) {
  int stillRunning = 0;
  curl_multi_socket_action(multi_, s, events, &stillRunning);
  collect();
}

void CurlMulti::collect() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode result = msg->data.result;
    curl_multi_remove_handle(multi_, easy);
    auto it = transfers_.find(easy);
    if (it == transfers_.end()) continue;
    Done done = std::move(it->second);
    transfers_.erase(it);
    done(result);  // may add the handle again
  }
}

}  // namespace holdfast::netio
