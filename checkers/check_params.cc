#include "checkers/check_params.h"

namespace holdfast::checkers {

std::string formatStatusSet(const std::vector<StatusRange>& set) {
  std::string out;
  for (const StatusRange& r : set) {
    if (!out.empty()) out += " ";
    out += std::to_string(r.low);
    if (r.high != r.low) out += "-" + std::to_string(r.high);
  }
  return out;
}

bool statusExpected(const std::vector<StatusRange>& set, int status) {
  for (const StatusRange& r : set) {
    if (status >= r.low && status <= r.high) return true;
  }
  return false;
}

namespace {
std::string hostPort(const netio::IpAddress& a, int port) {
  return a.family == netio::Family::kIPv6 ? "[" + a.str() + "]:" + std::to_string(port)
                                          : a.str() + ":" + std::to_string(port);
}
}  // namespace

std::string describeTarget(const CheckParams& p, const netio::IpAddress& address) {
  switch (p.kind) {
    case CheckKind::kIcmp:
      return "icmp " + address.str();
    case CheckKind::kTcp:
      return "tcp " + hostPort(address, p.port);
    case CheckKind::kHttp:
      return std::string(p.tls ? "https " : "http ") + hostPort(address, p.port) + p.path;
    case CheckKind::kScript:
      return "script " + p.script;
  }
  return "?";
}

std::string checkKey(const CheckParams& p, const netio::IpAddress& address) {
  // Every field, separated by a byte no config string can hold.
  constexpr char kSep = '\x1f';
  std::string k = describeTarget(p, address);
  auto add = [&](const std::string& s) { (k += kSep) += s; };
  auto num = [&](long long v) { add(std::to_string(v)); };
  num(static_cast<int>(p.kind));
  num(p.interval.count());
  num(p.timeout.count());
  num(p.fastInterval ? p.fastInterval->count() : -1);
  num(p.downInterval ? p.downInterval->count() : -1);
  num(p.jitter.count());
  num(p.rise);
  num(p.fall);
  num(p.initiallyUp);
  num(p.port);
  add(p.path);
  add(p.method);
  add(p.host);
  for (const auto& h : p.headers) add("H" + h);
  add(formatStatusSet(p.expectStatus));
  add(p.expectBody);
  add(p.expectBodyRegex);
  add(p.send);
  add(p.expect);
  num(p.tls);
  num(p.tlsVerify);
  add(p.sni);
  add(p.caFile);
  num(p.followRedirects);
  num(p.reuseConnection);
  add(p.script);
  return k;
}

}  // namespace holdfast::checkers
