#pragma once
// Every backend's checks, on checker threads of their own (docs/ARCHITECTURE.md,
// threads: ten thousand checks never delay an advert). Distinct checks are dealt round-robin to the
// threads (one by default; more for many checks, see EngineSpec::threads), each
// thread with its own loop, curl multi handle and ICMP sockets. Identical checks
// declared by several backends run once and share their result.
//
// Judgement happens on the first ("home") thread: a check's change of state is
// posted there as a value, re-judges the backends that use it (the layer ladder)
// and the groups those belong to (quorum), and each backend or group that goes up
// or down, or stays down for a new reason, is reported through OnChange, on the
// home thread.

#include <atomic>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "checkers/check_runner.h"
#include "checkers/ladder.h"
#include "netio/event_loop.h"
#include "netio/process_runner.h"

namespace holdfast::netio {
class CurlMulti;
class ProbeReactor;
}  // namespace holdfast::netio

namespace holdfast::checkers {

class IcmpPinger;

struct BackendSpec {
  std::string name;
  netio::IpAddress address;
  std::vector<CheckParams> checks;
};

struct GroupSpec {
  std::string name;
  std::vector<std::string> members;  // backend names
  int quorum = 1;
};

// A check's state that a reload carries into the engine that replaces this one,
// by checkKey: a check that did not change goes on from where it was.
struct CarriedCheck {
  bool up = false;
  std::string lastFailure;
};

struct EngineSpec {
  std::vector<BackendSpec> backends;
  std::map<std::string, CarriedCheck> carried;
  std::vector<GroupSpec> groups;
  netio::ScriptIdentity scriptUser;  // for script checks
  int threads = 0;                   // 0: one per kChecksPerThread distinct checks, up to the cores
  std::vector<int> cpus;             // checker_cpu_affinity; empty: any CPU
  // Told what went wrong on a checker thread that the engine cannot return
  // (a thread that could not be pinned); called from that thread.
  std::function<void(const std::string&)> warn;
};

// Where one checker thread is comfortably within a core (HTTP checks at 1 s).
inline constexpr size_t kChecksPerThread = 4000;
int autoThreads(size_t distinctChecks, unsigned cores);

struct HealthChange {
  std::string name;
  bool group = false;
  bool up = false;
  std::string reason;   // why it is down; empty when up
  bool flipped = true;  // false: still down, for a new reason
};

// What the diagnostics show of one distinct check (a copy taken on its thread).
struct CheckReport {
  std::string key;  // checkKey
  CheckKind kind = CheckKind::kIcmp;
  std::string target;
  std::vector<std::string> backends;  // that declare it
  bool up = false;
  int streak = 0;  // consecutive results against the state so far
  int rise = 0, fall = 0;
  bool inFlight = false;
  CheckStats stats;
  std::chrono::milliseconds nextRunIn{0};  // from the time of the report
  std::string reading;                     // its state in the light of the ladder
};

struct BackendReport {
  std::string name;
  bool group = false;
  Verdict verdict;
  std::vector<size_t> checks;        // indexes into EngineReport::checks
  std::vector<std::string> members;  // groups
  int quorum = 0;
};

struct EngineReport {
  std::vector<CheckReport> checks;
  std::vector<BackendReport> backends;  // backends, then groups
  size_t threads = 0;
  size_t declared = 0;
};

class CheckEngine {
 public:
  using OnChange = std::function<void(const HealthChange&)>;

  // Opens what the checks need (ICMP sockets per family in use); an error says why.
  static std::expected<std::unique_ptr<CheckEngine>, std::string> create(EngineSpec spec);
  ~CheckEngine();

  // Every backend's and group's health: the initial states before start(); after
  // start(), only from the home thread.
  std::map<std::string, HealthChange> health() const;
  size_t distinctChecks() const { return runners_.size(); }
  size_t declaredChecks() const { return declared_; }
  size_t threads() const { return shards_.size(); }

  void start(OnChange onChange);
  // Takes a report from every checker thread (each copies its own checks) and
  // completes it on the home thread, where `done` runs. Never blocks a thread.
  void inspect(std::function<void(EngineReport)> done);
  // Stops every check and joins the threads. Idempotent.
  void stop();
  // The home thread's loop: OnChange runs there, and so may its consumers.
  netio::EventLoop& loop() { return shards_.front()->loop; }

 private:
  struct Shard {
    netio::EventLoop loop;
    std::thread thread;
    std::mt19937_64 random{std::random_device{}()};
    std::unique_ptr<netio::CurlMulti> curl;
    std::unique_ptr<netio::ProbeReactor> probes;  // TCP and plain HTTP connections
    std::unique_ptr<IcmpPinger> ping4, ping6;     // destroyed before the loop they use
  };
  // What the home thread knows of each check: a copy, never the runner itself.
  struct CheckView {
    Layer layer = Layer::kL3;
    bool up = false;
    std::string lastFailure;
    std::vector<size_t> backends;  // indexes into backends_
  };
  struct Backend {
    std::string name;
    std::vector<size_t> checks;  // indexes into runners_, in the order declared
    std::vector<size_t> groups;  // indexes into groups_
    Verdict verdict;
  };
  struct Group {
    std::string name;
    std::vector<size_t> members;  // indexes into backends_
    int quorum = 1;
    Verdict verdict;
  };

  CheckEngine() = default;
  // The shard's ProbeReactor, made at its first TCP or plain HTTP check.
  static std::expected<void, std::string> probeReactor(Shard& shard);
  std::expected<std::unique_ptr<Checker>, std::string> makeChecker(
      Shard& shard, int shardIndex, const CheckParams& p, const netio::IpAddress& address,
      const netio::ScriptIdentity& who);
  void startShard(size_t index);
  static CheckReport reportOf(const CheckRunner& r, CheckRunner::Clock::time_point now);
  // Backends' and groups' verdicts and each check's reading; home thread only.
  void addVerdicts(EngineReport& rep) const;
  // On the home thread: check `index` is now `up`, its last failure `reason`.
  void checkChanged(size_t index, bool up, std::string reason);
  Verdict judge(const Backend& b) const;
  Verdict judge(const Group& g) const;
  // Stores `now` as `b`'s or `g`'s verdict and reports it when it went up or down
  // or changed its reason; returns whether it went up or down.
  template <typename Judged>
  bool update(Judged& judged, const Verdict& now, bool group);

  // Runners (their checkers hold curl handles and pinger references) are
  // declared after the shards, so they are destroyed first.
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<int> cpus_;  // the threads' CPUs (checker_cpu_affinity)
  std::function<void(const std::string&)> warn_;
  std::vector<std::unique_ptr<CheckRunner>> runners_;
  std::vector<size_t> shardOf_;   // by runner index
  std::vector<CheckView> views_;  // by runner index; home thread only
  std::vector<Backend> backends_;
  std::vector<Group> groups_;
  size_t declared_ = 0;
  OnChange onChange_;
  std::atomic<bool> started_ = false;  // read by the home thread
};

}  // namespace holdfast::checkers
