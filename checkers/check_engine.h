#pragma once
// Every backend's checks on one event loop thread of their own (DESIGN.md: ten
// thousand checks never delay an advert). Identical checks declared by several
// backends run once and share their result. A check's change of state re-judges
// the backends that use it (the layer ladder) and the groups those belong to
// (quorum); each backend or group that goes up or down is reported through the
// OnChange callback, on the engine's thread.

#include <expected>
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
}

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

struct EngineSpec {
  std::vector<BackendSpec> backends;
  std::vector<GroupSpec> groups;
  netio::ScriptIdentity scriptUser;  // for script checks
};

struct HealthChange {
  std::string name;
  bool group = false;
  bool up = false;
  std::string reason;   // why it is down; empty when up
  bool flipped = true;  // false: still down, for a new reason
};

class CheckEngine {
 public:
  using OnChange = std::function<void(const HealthChange&)>;

  // Opens what the checks need (an ICMP socket per family in use); an error says why.
  static std::expected<std::unique_ptr<CheckEngine>, std::string> create(EngineSpec spec);
  ~CheckEngine();

  // Every backend's and group's health: the initial states before start(); after
  // start(), only from the engine's thread.
  std::map<std::string, HealthChange> health() const;
  size_t distinctChecks() const { return runners_.size(); }
  size_t declaredChecks() const { return declared_; }

  void start(OnChange onChange);
  // Stops every check and joins the thread. Idempotent.
  void stop();
  netio::EventLoop& loop() { return loop_; }

 private:
  struct Backend {
    std::string name;
    std::vector<CheckRunner*> checks;  // in the order declared
    std::vector<size_t> groups;        // indexes into groups_
    Verdict verdict;
  };
  struct Group {
    std::string name;
    std::vector<size_t> members;  // indexes into backends_
    int quorum = 1;
    Verdict verdict;
  };

  CheckEngine();
  std::unique_ptr<Checker> makeChecker(const CheckParams& p, const netio::IpAddress& address,
                                       const netio::ScriptIdentity& who);
  void startAll();
  void checkChanged(CheckRunner& r);
  Verdict judge(const Backend& b) const;
  Verdict judge(const Group& g) const;

  netio::EventLoop loop_;
  std::thread thread_;
  std::mt19937_64 random_;
  std::unique_ptr<netio::CurlMulti> curl_;
  std::unique_ptr<IcmpPinger> ping4_, ping6_;
  std::vector<std::unique_ptr<CheckRunner>> runners_;
  std::multimap<const CheckRunner*, size_t> usedBy_;  // runner -> backend indexes
  std::vector<Backend> backends_;
  std::vector<Group> groups_;
  size_t declared_ = 0;
  OnChange onChange_;
  bool started_ = false;
};

}  // namespace holdfast::checkers
