#pragma once
// Sends state-change alerts by SMTP (libcurl) to global_defs' notification_email, on
// a thread of its own so that a slow or dead mail server never delays VRRP. The
// queue is bounded: when it is full the oldest alert is dropped, and counted.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/config/model.h"
#include "core/runtime/kernel.h"

namespace holdfast::runtime {

struct MailSettings {
  std::string server;  // host
  int port = 25;
  std::string from;
  std::vector<std::string> to;
  std::chrono::microseconds connectTimeout{30'000'000};
  std::string routerId;
};

// Mail is configured (smtp_server and at least one notification_email).
bool mailConfigured(const config::GlobalDefs& g);
MailSettings mailSettings(const config::GlobalDefs& g);

class Mailer final : public MailPort {
 public:
  static constexpr size_t kMaxQueued = 64;

  explicit Mailer(MailSettings settings);
  ~Mailer() override;  // sends what is queued (2 s connect timeout each), then stops

  void send(std::string subject, std::string body) override;
  uint64_t sent() const;
  uint64_t failed() const;
  uint64_t dropped() const;

 private:
  void run();
  bool deliver(const std::string& subject, const std::string& body);

  MailSettings settings_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::string, std::string>> queue_;
  bool stopping_ = false;
  uint64_t sent_ = 0, failed_ = 0, dropped_ = 0;
  std::thread thread_;
};

}  // namespace holdfast::runtime
