#include "checkers/http_checker.h"

#include <cerrno>
#include <cstring>

#include "checkers/http_message.h"
#include "netio/duration_text.h"

namespace holdfast::checkers {

namespace {
std::string hostForUrl(const netio::IpAddress& a) {
  return a.family == netio::Family::kIPv6 ? "[" + a.str() + "]" : a.str();
}

bool isTlsError(CURLcode c) {
  switch (c) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}
}  // namespace

ProbeResult judgeHttp(const CheckParams& p, const std::optional<std::regex>& bodyRegex,
                      const HttpOutcome& o, std::chrono::microseconds latency) {
  auto fail = [&](Failure f, std::string why) {
    return ProbeResult::failed(f, std::move(why), latency);
  };
  const std::string detail = o.curlError.empty() ? curl_easy_strerror(o.code) : o.curlError;
  switch (o.code) {
    case CURLE_OK:
      break;
    case CURLE_OPERATION_TIMEDOUT:
      return fail(Failure::kTimeout, "no response in " + netio::formatDuration(p.timeout));
    case CURLE_COULDNT_CONNECT:
      if (o.osErrno == ECONNREFUSED) return fail(Failure::kRefused, "connection refused");
      if (o.osErrno == EHOSTUNREACH || o.osErrno == ENETUNREACH) {
        return fail(Failure::kUnreachable, std::strerror(static_cast<int>(o.osErrno)));
      }
      if (o.osErrno == ETIMEDOUT) {
        return fail(Failure::kTimeout, "no connection in " + netio::formatDuration(p.timeout));
      }
      return fail(Failure::kProtocol, detail);
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
      return fail(Failure::kLocalError, detail);
    default:
      return fail(isTlsError(o.code) ? Failure::kTls : Failure::kProtocol, detail);
  }
  return judgeHttpReply(p, bodyRegex, static_cast<int>(o.status), o.body, latency);
}

HttpChecker::HttpChecker(netio::CurlMulti& multi, netio::IpAddress address, CheckParams p)
    : multi_(multi), params_(std::move(p)) {
  const std::string scheme = params_.tls ? "https://" : "http://";
  const std::string port = std::to_string(params_.port);
  if (params_.tls && !params_.sni.empty()) {
    // The URL names the SNI host (it is what TLS sends and verifies); the
    // connection still goes to the backend's address.
    url_ = scheme + params_.sni + ":" + port + params_.path;
    connectTo_ = curl_slist_append(
        nullptr, (params_.sni + ":" + port + ":" + hostForUrl(address) + ":" + port).c_str());
  } else {
    url_ = scheme + hostForUrl(address) + ":" + port + params_.path;
  }
  if (!params_.host.empty()) {
    headers_ = curl_slist_append(headers_, ("Host: " + params_.host).c_str());
  }
  for (const auto& h : params_.headers) headers_ = curl_slist_append(headers_, h.c_str());
  keepBody_ = !params_.expectBody.empty() || !params_.expectBodyRegex.empty();
  if (!params_.expectBodyRegex.empty()) {
    bodyRegex_.emplace(params_.expectBodyRegex, std::regex::extended);  // validated by config
  }
}

void HttpChecker::configure(CURL* easy) {
  curl_easy_setopt(easy, CURLOPT_URL, url_.c_str());
  if (connectTo_) curl_easy_setopt(easy, CURLOPT_CONNECT_TO, connectTo_);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "holdfast-check");
  if (params_.method == "HEAD") curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  const long timeoutMs = std::max<long>(1, static_cast<long>(params_.timeout.count() / 1000));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeoutMs);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeoutMs);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, params_.followRedirects ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, params_.tlsVerify ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, params_.tlsVerify ? 2L : 0L);
  if (!params_.caFile.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, params_.caFile.c_str());
  if (!params_.reuseConnection) {
    curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
  }
  // No DNS cache: the host is an address (or the SNI name pinned to one by
  // CONNECT_TO). curl (7.88) walks its whole DNS cache to prune it at every
  // connection; a cache holding an entry per backend made ten thousand checks a
  // second quadratic.
  curl_easy_setopt(easy, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
  // A health answer is small: a 4 KiB receive buffer instead of curl's 16 KiB.
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 4096L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &HttpChecker::onBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_);
}

HttpChecker::~HttpChecker() {
  cancel();
  curl_slist_free_all(headers_);
  curl_slist_free_all(connectTo_);
}

size_t HttpChecker::onBody(char* data, size_t size, size_t n, void* self) {
  auto* c = static_cast<HttpChecker*>(self);
  const size_t bytes = size * n;
  if (c->keepBody_ && c->body_.size() < kMaxHttpBody) {
    c->body_.append(data, std::min(bytes, kMaxHttpBody - c->body_.size()));
  }
  return bytes;  // the rest is read and dropped: the server sees a normal client
}

void HttpChecker::probe(Done done) {
  pending_.arm(std::move(done));
  body_.clear();
  error_[0] = '\0';
  started_ = std::chrono::steady_clock::now();
  easy_ = multi_.acquire(!params_.reuseConnection);
  configure(easy_);
  multi_.add(easy_, [this](CURLcode code) {
    HttpOutcome o;
    o.code = code;
    curl_easy_getinfo(easy_, CURLINFO_OS_ERRNO, &o.osErrno);
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &o.status);
    o.body = std::move(body_);
    o.curlError = error_;
    multi_.release(easy_);
    easy_ = nullptr;
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_);
    pending_.complete(judgeHttp(params_, bodyRegex_, o, latency));
  });
}

void HttpChecker::cancel() {
  if (easy_) multi_.release(easy_);
  easy_ = nullptr;
  pending_.drop();
}

}  // namespace holdfast::checkers
