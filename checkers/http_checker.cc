#include "checkers/http_checker.h"

#include <cerrno>
#include <cstring>

#include "checkers/duration_text.h"

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
      return fail(Failure::kTimeout, "no response in " + formatShort(p.timeout));
    case CURLE_COULDNT_CONNECT:
      if (o.osErrno == ECONNREFUSED) return fail(Failure::kRefused, "connection refused");
      if (o.osErrno == EHOSTUNREACH || o.osErrno == ENETUNREACH) {
        return fail(Failure::kUnreachable, std::strerror(static_cast<int>(o.osErrno)));
      }
      if (o.osErrno == ETIMEDOUT) {
        return fail(Failure::kTimeout, "no connection in " + formatShort(p.timeout));
      }
      return fail(Failure::kProtocol, detail);
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
      return fail(Failure::kLocalError, detail);
    default:
      return fail(isTlsError(o.code) ? Failure::kTls : Failure::kProtocol, detail);
  }
  if (!statusExpected(p.expectStatus, static_cast<int>(o.status))) {
    return fail(Failure::kStatusMismatch, "status " + std::to_string(o.status) + ", expected " +
                                              formatStatusSet(p.expectStatus));
  }
  if (!p.expectBody.empty() && o.body.find(p.expectBody) == std::string::npos) {
    return fail(Failure::kBodyMismatch, "body without \"" + p.expectBody + "\"");
  }
  if (bodyRegex && !std::regex_search(o.body, *bodyRegex)) {
    return fail(Failure::kBodyMismatch, "body does not match /" + p.expectBodyRegex + "/");
  }
  return ProbeResult::success(latency);
}

HttpChecker::HttpChecker(netio::CurlMulti& multi, netio::IpAddress address, CheckParams p)
    : multi_(multi), params_(std::move(p)), easy_(curl_easy_init()) {
  const std::string scheme = params_.tls ? "https://" : "http://";
  const std::string port = std::to_string(params_.port);
  std::string url;
  if (params_.tls && !params_.sni.empty()) {
    // The URL names the SNI host (it is what TLS sends and verifies); the
    // connection still goes to the backend's address.
    url = scheme + params_.sni + ":" + port + params_.path;
    connectTo_ = curl_slist_append(
        nullptr, (params_.sni + ":" + port + ":" + hostForUrl(address) + ":" + port).c_str());
    curl_easy_setopt(easy_, CURLOPT_CONNECT_TO, connectTo_);
  } else {
    url = scheme + hostForUrl(address) + ":" + port + params_.path;
  }
  if (!params_.host.empty()) {
    headers_ = curl_slist_append(headers_, ("Host: " + params_.host).c_str());
  }
  for (const auto& h : params_.headers) headers_ = curl_slist_append(headers_, h.c_str());
  keepBody_ = !params_.expectBody.empty() || !params_.expectBodyRegex.empty();
  if (!params_.expectBodyRegex.empty()) {
    bodyRegex_.emplace(params_.expectBodyRegex, std::regex::extended);  // validated by config
  }
  multi_.prepare(easy_, !params_.reuseConnection);
  curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(easy_, CURLOPT_USERAGENT, "holdfast-check");
  if (params_.method == "HEAD") curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
  const long timeoutMs = std::max<long>(1, static_cast<long>(params_.timeout.count() / 1000));
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, timeoutMs);
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, timeoutMs);
  curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, params_.followRedirects ? 1L : 0L);
  curl_easy_setopt(easy_, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, params_.tlsVerify ? 1L : 0L);
  curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, params_.tlsVerify ? 2L : 0L);
  if (!params_.caFile.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, params_.caFile.c_str());
  if (!params_.reuseConnection) {
    curl_easy_setopt(easy_, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(easy_, CURLOPT_FORBID_REUSE, 1L);
  }
  // A DNS and connection cache of this check's own. The multi handle's shared
  // caches would hold an entry per backend, and curl (7.88) walks a whole cache
  // at every connection: pruning the DNS cache, and finding a host's connection
  // bundle to drop it at close. Quadratic: the checker thread saturates well
  // before ten thousand checks a second. The host is an address (or the SNI name
  // pinned to one by CONNECT_TO), so the single DNS entry never needs to expire.
  dns_ = curl_share_init();
  curl_share_setopt(dns_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(dns_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_easy_setopt(easy_, CURLOPT_SHARE, dns_);
  curl_easy_setopt(easy_, CURLOPT_DNS_CACHE_TIMEOUT, -1L);
  // A health answer is small: a 4 KiB receive buffer instead of curl's 16 KiB
  // saves 12 KiB per check (120 MiB at ten thousand checks).
  curl_easy_setopt(easy_, CURLOPT_BUFFERSIZE, 4096L);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &HttpChecker::onBody);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_);
}

HttpChecker::~HttpChecker() {
  cancel();
  curl_easy_cleanup(easy_);
  curl_share_cleanup(dns_);
  curl_slist_free_all(headers_);
  curl_slist_free_all(connectTo_);
}

size_t HttpChecker::onBody(char* data, size_t size, size_t n, void* self) {
  auto* c = static_cast<HttpChecker*>(self);
  const size_t bytes = size * n;
  if (c->keepBody_ && c->body_.size() < kMaxBody) {
    c->body_.append(data, std::min(bytes, kMaxBody - c->body_.size()));
  }
  return bytes;  // the rest is read and dropped: the server sees a normal client
}

void HttpChecker::probe(Done done) {
  pending_.arm(std::move(done));
  body_.clear();
  error_[0] = '\0';
  started_ = std::chrono::steady_clock::now();
  multi_.add(easy_, [this](CURLcode code) {
    HttpOutcome o;
    o.code = code;
    curl_easy_getinfo(easy_, CURLINFO_OS_ERRNO, &o.osErrno);
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &o.status);
    o.body = std::move(body_);
    o.curlError = error_;
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_);
    pending_.complete(judgeHttp(params_, bodyRegex_, o, latency));
  });
}

void HttpChecker::cancel() {
  multi_.remove(easy_);
  pending_.drop();
}

}  // namespace holdfast::checkers
