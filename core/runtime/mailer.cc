#include "core/runtime/mailer.h"

#include <curl/curl.h>

#include <cstring>
#include <ctime>

#include "core/log/logger.h"
#include "netio/curl_library.h"

namespace holdfast::runtime {

bool mailConfigured(const config::GlobalDefs& g) {
  return g.smtpServer.has_value() && !g.notificationEmails.empty();
}

MailSettings mailSettings(const config::GlobalDefs& g) {
  MailSettings m;
  m.server = g.smtpServer->host;
  m.port = g.smtpServer->port;
  m.to = g.notificationEmails;
  m.from = g.notificationEmailFrom.empty() ? "holdfast@localhost" : g.notificationEmailFrom;
  m.connectTimeout = g.smtpConnectTimeout;
  m.routerId = g.routerId;
  return m;
}

Mailer::Mailer(MailSettings settings) : settings_(std::move(settings)) {
  thread_ = std::thread([this] { run(); });
}

Mailer::~Mailer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Mailer::send(std::string subject, std::string body) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kMaxQueued) {
      queue_.pop_front();
      ++dropped_;
    }
    queue_.emplace_back(std::move(subject), std::move(body));
  }
  wake_.notify_one();
}

uint64_t Mailer::sent() const {
  std::lock_guard lock(mutex_);
  return sent_;
}
uint64_t Mailer::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}
uint64_t Mailer::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void Mailer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything was sent
    auto [subject, body] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    bool ok = deliver(subject, body);
    lock.lock();
    ++(ok ? sent_ : failed_);
  }
}

namespace {
struct Payload {
  std::string text;
  size_t offset = 0;
};
size_t readPayload(char* buffer, size_t size, size_t count, void* user) {
  auto* p = static_cast<Payload*>(user);
  size_t n = std::min(size * count, p->text.size() - p->offset);
  std::memcpy(buffer, p->text.data() + p->offset, n);
  p->offset += n;
  return n;
}
}  // namespace

bool Mailer::deliver(const std::string& subject, const std::string& body) {
  char date[64];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::string to;
  for (const auto& t : settings_.to) to += (to.empty() ? "" : ", ") + t;
  Payload payload{"Date: " + std::string(date) + "\r\nFrom: " + settings_.from + "\r\nTo: " + to +
                  "\r\nSubject: " + subject + "\r\n\r\n" + body + "\r\n"};

  if (auto loaded = netio::loadCurl(); !loaded) {
    log::error("alert mail not sent: " + loaded.error());
    return false;
  }
  CURL* curl = curl_easy_init();
  if (!curl) return false;
  curl_slist* rcpt = nullptr;
  for (const auto& t : settings_.to) rcpt = curl_slist_append(rcpt, ("<" + t + ">").c_str());
  const std::string url = "smtp://" + settings_.server + ":" + std::to_string(settings_.port);
  const std::string from = "<" + settings_.from + ">";
  long connectMs = static_cast<long>(settings_.connectTimeout.count() / 1000);
  {
    // While the daemon stops, what is left gets 2 s at most, so that a dead mail
    // server cannot hold up the exit.
    std::lock_guard lock(mutex_);
    if (stopping_) connectMs = std::min(connectMs, 2000L);
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, readPayload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &payload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connectMs);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 2 * connectMs);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    log::warning("smtp alert to " + url + " failed: " + curl_easy_strerror(rc) + " (\"" + subject +
                 "\")");
    return false;
  }
  log::debug("smtp alert sent: " + subject);
  return true;
}

}  // namespace holdfast::runtime
