#include "checkers/check_engine.h"

#include <mutex>
#include <unordered_map>

#include "checkers/beast_http_checker.h"
#include "checkers/http_checker.h"
#include "checkers/icmp_checker.h"
#include "checkers/schedule.h"
#include "checkers/script_checker.h"
#include "checkers/tcp_checker.h"
#include "netio/await_reply.h"
#include "netio/cpu_affinity.h"
#include "netio/curl_library.h"
#include "netio/curl_multi.h"
#include "netio/probe_reactor.h"

namespace holdfast::checkers {

int autoThreads(size_t distinctChecks, unsigned cores) {
  const size_t wanted = (distinctChecks + kChecksPerThread - 1) / kChecksPerThread;
  return static_cast<int>(std::clamp<size_t>(wanted, 1, std::max(1u, cores)));
}

std::expected<std::unique_ptr<CheckEngine>, std::string> CheckEngine::create(EngineSpec spec) {
  std::unique_ptr<CheckEngine> e(new CheckEngine());

  // First the distinct checks, to know how many threads they need.
  struct Distinct {
    const CheckParams* params;
    netio::IpAddress address;
    std::string backend;
  };
  std::vector<Distinct> distinct;
  std::unordered_map<std::string, size_t> byKey;
  std::map<std::string, size_t> backendIndex;
  for (const BackendSpec& bs : spec.backends) {
    Backend b{bs.name, {}, {}, {}};
    for (const CheckParams& p : bs.checks) {
      ++e->declared_;
      auto [it, fresh] = byKey.emplace(checkKey(p, bs.address), distinct.size());
      if (fresh) distinct.push_back({&p, bs.address, bs.name});
      // A backend that declares one check twice still counts it once.
      if (std::find(b.checks.begin(), b.checks.end(), it->second) == b.checks.end()) {
        b.checks.push_back(it->second);
      }
    }
    backendIndex[b.name] = e->backends_.size();
    e->backends_.push_back(std::move(b));
  }

  const int threads = spec.threads > 0
                          ? spec.threads
                          : autoThreads(distinct.size(), std::thread::hardware_concurrency());
  for (int i = 0; i < threads; ++i) e->shards_.push_back(std::make_unique<Shard>());
  e->cpus_ = spec.cpus;
  e->warn_ = spec.warn;
  for (size_t i = 0; i < distinct.size(); ++i) {
    const size_t si = i % e->shards_.size();
    Shard& shard = *e->shards_[si];
    auto checker = e->makeChecker(shard, static_cast<int>(si), *distinct[i].params,
                                  distinct[i].address, spec.scriptUser);
    if (!checker) return std::unexpected("backend " + distinct[i].backend + ": " + checker.error());
    e->runners_.push_back(std::make_unique<CheckRunner>(shard.loop.context(), *distinct[i].params,
                                                        distinct[i].address, std::move(*checker),
                                                        shard.random));
    e->shardOf_.push_back(si);
    if (auto c = spec.carried.find(checkKey(*distinct[i].params, distinct[i].address));
        c != spec.carried.end()) {
      e->runners_.back()->seed(c->second.up, c->second.lastFailure);
    }
    e->views_.push_back({layerOf(distinct[i].params->kind),
                         e->runners_.back()->up(),
                         e->runners_.back()->stats().lastFailure,
                         {}});
  }
  for (size_t bi = 0; bi < e->backends_.size(); ++bi) {
    for (size_t ci : e->backends_[bi].checks) e->views_[ci].backends.push_back(bi);
    e->backends_[bi].verdict = e->judge(e->backends_[bi]);
  }
  for (const GroupSpec& gs : spec.groups) {
    Group g{gs.name, {}, gs.quorum, {}};
    for (const auto& m : gs.members) {
      auto it = backendIndex.find(m);
      if (it == backendIndex.end()) {
        return std::unexpected("backend_group " + gs.name + ": no backend '" + m + "'");
      }
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
}

std::expected<void, std::string> CheckEngine::probeReactor(Shard& shard) {
  if (shard.probes) return {};
  auto reactor = netio::ProbeReactor::create(shard.loop.context());
  if (!reactor) return std::unexpected(reactor.error());
  shard.probes = std::move(*reactor);
  return {};
}

std::expected<std::unique_ptr<Checker>, std::string> CheckEngine::makeChecker(
    Shard& shard, int shardIndex, const CheckParams& p, const netio::IpAddress& address,
    const netio::ScriptIdentity& who) {
  auto& io = shard.loop.context();
  switch (p.kind) {
    case CheckKind::kIcmp: {
      auto& pinger = address.family == netio::Family::kIPv4 ? shard.ping4 : shard.ping6;
      if (!pinger) {
        auto sock = netio::IcmpSocket::open(address.family, shardIndex);
        if (!sock) return std::unexpected(sock.error());
        pinger = std::make_unique<IcmpPinger>(io, std::move(*sock));
      }
      return std::make_unique<IcmpChecker>(io, *pinger, address, p.timeout);
    }
    case CheckKind::kTcp:
      if (auto r = probeReactor(shard); !r) return std::unexpected(r.error());
      return std::make_unique<TcpChecker>(io, *shard.probes, address, p);
    case CheckKind::kHttp:
      if (usesLibcurl(p)) {
        if (auto r = netio::loadCurl(); !r) {
          return std::unexpected("HTTP check of " + p.path + " needs libcurl: " + r.error());
        }
        if (!shard.curl) shard.curl = std::make_unique<netio::CurlMulti>(io);
        return std::make_unique<HttpChecker>(*shard.curl, address, p);
      }
      if (auto r = probeReactor(shard); !r) return std::unexpected(r.error());
      return std::make_unique<BeastHttpChecker>(io, *shard.probes, address, p);
    case CheckKind::kScript:
      return std::make_unique<ScriptChecker>(io, p.script, who, p.timeout);
  }
  return std::unexpected("unknown check kind");
}

Verdict CheckEngine::judge(const Backend& b) const {
  std::vector<CheckStatus> st;
  for (size_t ci : b.checks)
    st.push_back({views_[ci].layer, views_[ci].up, views_[ci].lastFailure});
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
  for (size_t i = 0; i < shards_.size(); ++i) {
    Shard& s = *shards_[i];
    s.thread = std::thread([this, &s, i] {
      if (auto why = netio::pinThisThread(cpus_); why && warn_) {
        warn_("checker thread " + std::to_string(i) + " not pinned to CPUs " +
              netio::formatCpus(cpus_) + ": " + *why);
      }
      s.loop.run();
    });
    s.loop.post([this, i] { startShard(i); });
  }
}

void CheckEngine::startShard(size_t index) {
  // First runs spread evenly over each interval: no thundering herd at start.
  std::map<Duration, std::vector<size_t>> byInterval;
  for (size_t ri = 0; ri < runners_.size(); ++ri) {
    if (shardOf_[ri] == index) byInterval[runners_[ri]->params().interval].push_back(ri);
  }
  netio::EventLoop& home = loop();
  for (auto& [interval, list] : byInterval) {
    for (size_t i = 0; i < list.size(); ++i) {
      const size_t ri = list[i];
      runners_[ri]->start(firstRunOffset(interval, i, list.size()),
                          [this, ri, &home](CheckRunner& r) {
                            home.post([this, ri, up = r.up(), reason = r.stats().lastFailure] {
                              checkChanged(ri, up, reason);
                            });
                          });
    }
  }
}

void CheckEngine::checkChanged(size_t index, bool up, std::string reason) {
  if (!started_) return;
  CheckView& view = views_[index];
  view.up = up;
  view.lastFailure = std::move(reason);
  for (size_t bi : view.backends) {
    Backend& b = backends_[bi];
    // A group's state and reason depend on its members' up/down only.
    if (!update(b, judge(b), false)) continue;
    for (size_t gi : b.groups) update(groups_[gi], judge(groups_[gi]), true);
  }
}

template <typename Judged>
bool CheckEngine::update(Judged& judged, const Verdict& now, bool group) {
  const bool flipped = now.up != judged.verdict.up;
  const bool newReason = now.reason != judged.verdict.reason;
  judged.verdict = now;
  if ((flipped || newReason) && onChange_) {
    onChange_({judged.name, group, now.up, now.reason, flipped});
  }
  return flipped;
}

CheckReport CheckEngine::reportOf(const CheckRunner& r, CheckRunner::Clock::time_point now) {
  CheckReport c;
  c.key = checkKey(r.params(), r.address());
  c.kind = r.params().kind;
  c.target = r.target();
  c.up = r.up();
  c.streak = r.policy().streak();
  c.rise = r.params().rise;
  c.fall = r.params().fall;
  c.inFlight = r.inFlight();
  c.stats = r.stats();
  c.nextRunIn = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::max(r.nextRun() - now, CheckRunner::Clock::duration::zero()));
  return c;
}

void CheckEngine::addVerdicts(EngineReport& rep) const {
  for (const Backend& b : backends_) {
    std::vector<CheckStatus> st;
    for (size_t ci : b.checks)
      st.push_back({views_[ci].layer, views_[ci].up, views_[ci].lastFailure});
    for (size_t i = 0; i < b.checks.size(); ++i) {
      CheckReport& c = rep.checks[b.checks[i]];
      c.backends.push_back(b.name);
      if (c.reading.empty()) c.reading = st[i].up ? "up" : describeCheck(st[i], st);
    }
    rep.backends.push_back({b.name, false, b.verdict, b.checks, {}, 0});
  }
  for (const Group& gr : groups_) {
    BackendReport br{gr.name, true, gr.verdict, {}, {}, gr.quorum};
    for (size_t m : gr.members) br.members.push_back(backends_[m].name);
    rep.backends.push_back(std::move(br));
  }
}

void CheckEngine::inspect(std::function<void(EngineReport)> done) {
  if (!started_) {
    // No checker thread runs (no checks, or stopped): nothing moves under us.
    EngineReport rep;
    rep.threads = shards_.size();
    rep.declared = declared_;
    for (const auto& r : runners_) rep.checks.push_back(reportOf(*r, CheckRunner::Clock::now()));
    addVerdicts(rep);
    done(std::move(rep));
    return;
  }
  // Each shard copies its runners into the shared report; the last one to finish
  // hands it to the home thread, which adds the verdicts.
  struct Gather {
    EngineReport report;
    std::mutex mutex;
    size_t pending;
    std::function<void(EngineReport)> done;
  };
  auto g = std::make_shared<Gather>();
  g->pending = shards_.size();
  g->done = std::move(done);
  g->report.checks.resize(runners_.size());
  g->report.threads = shards_.size();
  g->report.declared = declared_;
  for (size_t si = 0; si < shards_.size(); ++si) {
    shards_[si]->loop.post([this, si, g] {
      const auto now = CheckRunner::Clock::now();
      for (size_t ri = 0; ri < runners_.size(); ++ri) {
        if (shardOf_[ri] != si) continue;
        CheckReport c = reportOf(*runners_[ri], now);
        std::lock_guard lock(g->mutex);
        g->report.checks[ri] = std::move(c);
      }
      bool last;
      {
        std::lock_guard lock(g->mutex);
        last = --g->pending == 0;
      }
      if (!last) return;
      loop().post([this, g] {
        EngineReport& rep = g->report;
        addVerdicts(rep);
        g->done(std::move(rep));
      });
    });
  }
}

void CheckEngine::stop() {
  if (!started_) return;
  started_ = false;  // the home thread ignores changes still queued
  for (size_t i = 0; i < shards_.size(); ++i) {
    // Bounded: a wedged shard is logged by name, and its loop is stopped below anyway.
    netio::runOn(
        shards_[i]->loop,
        [this, i] {
          for (size_t ri = 0; ri < runners_.size(); ++ri) {
            if (shardOf_[ri] == i) runners_[ri]->stop();
          }
        },
        netio::waits::kShardStop, "checker thread " + std::to_string(i) + " (stop)");
  }
  for (auto& s : shards_) {
    s->loop.stop();
    if (s->thread.joinable()) s->thread.join();
  }
}

}  // namespace holdfast::checkers
