#include "checkers/check_engine.h"

#include <curl/curl.h>

#include <future>
#include <unordered_map>

#include "checkers/http_checker.h"
#include "checkers/icmp_checker.h"
#include "checkers/schedule.h"
#include "checkers/script_checker.h"
#include "checkers/tcp_checker.h"
#include "netio/curl_multi.h"

namespace holdfast::checkers {

CheckEngine::CheckEngine() : random_(std::random_device{}()) {}

std::expected<std::unique_ptr<CheckEngine>, std::string> CheckEngine::create(EngineSpec spec) {
  static const bool curlReady = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!curlReady) return std::unexpected("libcurl failed to initialise");
  std::unique_ptr<CheckEngine> e(new CheckEngine());
  auto& io = e->loop_.context();
  std::unordered_map<std::string, CheckRunner*> byKey;
  std::map<std::string, size_t> backendIndex;
  for (const BackendSpec& bs : spec.backends) {
    Backend b{bs.name, {}, {}, {}};
    for (const CheckParams& p : bs.checks) {
      ++e->declared_;
      const std::string key = checkKey(p, bs.address);
      auto it = byKey.find(key);
      if (it == byKey.end()) {
        if (p.kind == CheckKind::kIcmp) {
          auto& pinger = bs.address.family == netio::Family::kIPv4 ? e->ping4_ : e->ping6_;
          if (!pinger) {
            auto sock = netio::IcmpSocket::open(bs.address.family);
            if (!sock) return std::unexpected("backend " + bs.name + ": " + sock.error());
            pinger = std::make_unique<IcmpPinger>(io, std::move(*sock));
          }
        }
        if (p.kind == CheckKind::kHttp && !e->curl_) {
          e->curl_ = std::make_unique<netio::CurlMulti>(io);
        }
        e->runners_.push_back(std::make_unique<CheckRunner>(
            io, p, bs.address, e->makeChecker(p, bs.address, spec.scriptUser), e->random_));
        it = byKey.emplace(key, e->runners_.back().get()).first;
      }
      // A backend that declares one check twice still counts it once.
      if (std::find(b.checks.begin(), b.checks.end(), it->second) == b.checks.end()) {
        b.checks.push_back(it->second);
        e->usedBy_.emplace(it->second, e->backends_.size());
      }
    }
    b.verdict = e->judge(b);
    backendIndex[b.name] = e->backends_.size();
    e->backends_.push_back(std::move(b));
  }
  for (const GroupSpec& gs : spec.groups) {
    Group g{gs.name, {}, gs.quorum, {}};
    for (const auto& m : gs.members) {
      auto it = backendIndex.find(m);
      if (it == backendIndex.end())
        return std::unexpected("backend_group " + gs.name + ": no backend '" + m + "'");
      g.members.push_back(it->second);
      e->backends_[it->second].groups.push_back(e->groups_.size());
    }
    g.verdict = e->judge(g);
    e->groups_.push_back(std::move(g));
  }
  return e;
}

CheckEngine::~CheckEngine() {
  stop();
  // Checkers hold the curl handles and pingers; they go before curl_ and the pingers.
  runners_.clear();
}

std::unique_ptr<Checker> CheckEngine::makeChecker(const CheckParams& p,
                                                  const netio::IpAddress& address,
                                                  const netio::ScriptIdentity& who) {
  auto& io = loop_.context();
  switch (p.kind) {
    case CheckKind::kIcmp:
      return std::make_unique<IcmpChecker>(
          io, address.family == netio::Family::kIPv4 ? *ping4_ : *ping6_, address, p.timeout);
    case CheckKind::kTcp:
      return std::make_unique<TcpChecker>(io, address, p);
    case CheckKind::kHttp:
      return std::make_unique<HttpChecker>(*curl_, address, p);
    case CheckKind::kScript:
      return std::make_unique<ScriptChecker>(io, p.script, who, p.timeout);
  }
  return nullptr;
}

Verdict CheckEngine::judge(const Backend& b) const {
  std::vector<CheckStatus> st;
  for (const CheckRunner* r : b.checks) {
    st.push_back({layerOf(r->params().kind), r->up(), r->stats().lastFailure});
  }
  return judgeBackend(st);
}

Verdict CheckEngine::judge(const Group& g) const {
  std::vector<MemberStatus> st;
  for (size_t m : g.members) st.push_back({backends_[m].name, backends_[m].verdict.up});
  return judgeGroup(st, g.quorum);
}

std::map<std::string, HealthChange> CheckEngine::health() const {
  std::map<std::string, HealthChange> out;
  for (const Backend& b : backends_) {
    out[b.name] = {b.name, false, b.verdict.up, b.verdict.reason, false};
  }
  for (const Group& g : groups_)
    out[g.name] = {g.name, true, g.verdict.up, g.verdict.reason, false};
  return out;
}

void CheckEngine::start(OnChange onChange) {
  if (started_) return;
  started_ = true;
  onChange_ = std::move(onChange);
  thread_ = std::thread([this] { loop_.run(); });
  loop_.post([this] { startAll(); });
}

void CheckEngine::startAll() {
  // First runs spread evenly over each interval: no thundering herd at start.
  std::map<Duration, std::vector<CheckRunner*>> byInterval;
  for (auto& r : runners_) byInterval[r->params().interval].push_back(r.get());
  for (auto& [interval, list] : byInterval) {
    for (size_t i = 0; i < list.size(); ++i) {
      list[i]->start(firstRunOffset(interval, i, list.size()),
                     [this](CheckRunner& r) { checkChanged(r); });
    }
  }
}

void CheckEngine::checkChanged(CheckRunner& r) {
  auto [from, to] = usedBy_.equal_range(&r);
  for (auto it = from; it != to; ++it) {
    Backend& b = backends_[it->second];
    const Verdict v = judge(b);
    const bool flipped = v.up != b.verdict.up;
    const bool newReason = v.reason != b.verdict.reason;
    b.verdict = v;
    if (!flipped && !newReason) continue;
    if (onChange_) onChange_({b.name, false, v.up, v.reason, flipped});
    if (!flipped) continue;  // a group's state and reason depend on members' up/down only
    for (size_t gi : b.groups) {
      Group& g = groups_[gi];
      const Verdict gv = judge(g);
      const bool gFlipped = gv.up != g.verdict.up;
      const bool gNewReason = gv.reason != g.verdict.reason;
      g.verdict = gv;
      if ((gFlipped || gNewReason) && onChange_) {
        onChange_({g.name, true, gv.up, gv.reason, gFlipped});
      }
    }
  }
}

void CheckEngine::stop() {
  if (!started_) return;
  started_ = false;
  std::promise<void> done;
  loop_.post([this, &done] {
    for (auto& r : runners_) r->stop();
    done.set_value();
  });
  done.get_future().wait_for(std::chrono::seconds(5));
  loop_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace holdfast::checkers
