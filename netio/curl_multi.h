#pragma once
// libcurl's multi interface driven by an Asio event loop: curl tells us which
// sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to time out
// (CURLMOPT_TIMERFUNCTION); we wait on them with the loop and hand readiness back
// with curl_multi_socket_action. No thread per transfer, no blocking call.
//
// Sockets curl opens are closed through us (CURLOPT_CLOSESOCKETFUNCTION, set by
// acquire()), so that the loop stops watching a descriptor before it is closed.

#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace holdfast::netio {

class CurlMulti {
 public:
  using Done = std::function<void(CURLcode)>;

  explicit CurlMulti(boost::asio::io_context& io);
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // An easy handle for one transfer, with the options every handle run here
  // needs (socket close hook, no signals): an idle one from the pool (reset), or a
  // new one. Handles exist for transfers in flight, not for every check: ten
  // thousand checks need a few dozen. `abortiveClose`: sockets close with a reset
  // (SO_LINGER 0), so that a check every second per backend leaves no TIME_WAIT
  // behind; for one-shot connections.
  CURL* acquire(bool abortiveClose);
  // Takes a handle back once its transfer is over (or was removed).
  void release(CURL* easy);
  static constexpr size_t kIdleHandles = 256;
  // Starts the transfer of `easy`; `done` is called once from the loop when it
  // ends, after the handle was removed from the multi (so it can be added again).
  void add(CURL* easy, Done done);
  // Stops a transfer without calling its `done`.
  void remove(CURL* easy);

 private:
  struct Watch;
  static int onSocket(CURL* easy, curl_socket_t s, int what, void* self, void* socketp);
  static int onTimer(CURLM* multi, long timeoutMs, void* self);
  static int onClose(void* self, curl_socket_t s);
  static int onSockopt(void* self, curl_socket_t s, curlsocktype purpose);
  using Clock = std::chrono::steady_clock;
  void arm(const std::shared_ptr<Watch>& w);
  void armTimer(Clock::time_point at);
  void action(curl_socket_t s, int events);
  void collect();

  boost::asio::io_context& io_;
  CURLM* multi_;
  boost::asio::steady_timer timer_;
  std::map<curl_socket_t, std::shared_ptr<Watch>> watches_;
  std::map<CURL*, Done> transfers_;
  std::vector<CURL*> idle_;
  bool kickPosted_ = false;
  std::optional<Clock::time_point> deadline_;  // when curl wants its timeout action
  bool timerArmed_ = false;
  Clock::time_point armedFor_;
};

}  // namespace holdfast::netio
