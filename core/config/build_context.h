#pragma once
// Shared helpers for turning syntax-tree nodes into typed values. Each helper reports
// a located error and returns nothing when the value is bad, so a builder can go on
// and collect every error of a file.

#include <optional>
#include <set>
#include <string>

#include "core/config/diagnostics.h"
#include "core/config/model.h"
#include "core/config/syntax_tree.h"

namespace holdfast::config::detail {

// keepalived numbers the rules written without a preference from 16384 down, per
// family, in the order it reads them: one counter for a whole config (build_routes.h).
struct RulePriorities {
  uint32_t nextV4 = 16384;
  uint32_t nextV6 = 16384;
};

class BuildContext {
 public:
  RulePriorities rulePriorities;

  explicit BuildContext(Diagnostics& diags) : diags_(diags) {}

  Diagnostics& diags() { return diags_; }

  // The value of `n`'s argument `arg`; a bad value is reported as "'KEYWORD': why".
  std::optional<Duration> duration(const Node& n, size_t arg = 0);
  std::optional<int> integer(const Node& n, int low, int high, size_t arg = 0);
  std::optional<IpAddress> address(const Node& n, size_t arg = 0);
  std::optional<bool> boolean(const Node& n, size_t arg = 0);
  // All arguments joined by single blanks: a command line given quoted or not.
  static std::string joined(const Node& n);

  // Prefixes a value error with the keyword it belongs to. In keepalived's blocks
  // (tolerant) it is a warning and the value is ignored: keepalived logs a bad value
  // and keeps what it had (its default, or an earlier line's).
  void error(const Token& at, const std::string& keyword, const std::string& what);
  // A located problem that is an error in holdfast's blocks and a tolerated mistake
  // (a warning ending in `done`, what was done about it) in keepalived's.
  void mistake(const SourceLocation& where, const std::string& what,
               const std::string& done = "ignored, as keepalived does");

  bool tolerant() const { return tolerant_; }
  // Loading for holdfastd -t (LoadOptions::configTest).
  bool configTest() const { return configTest_; }
  void setConfigTest(bool on) { configTest_ = on; }
  // While alive, problems are tolerated as keepalived does (its blocks), or not
  // (`on` false: holdfast's own keywords inside them, such as metrics_listen).
  class Tolerant {
   public:
    explicit Tolerant(BuildContext& ctx, bool on = true) : ctx_(ctx), was_(ctx.tolerant_) {
      ctx.tolerant_ = on;
    }
    ~Tolerant() { ctx_.tolerant_ = was_; }
    Tolerant(const Tolerant&) = delete;
    Tolerant& operator=(const Tolerant&) = delete;

   private:
    BuildContext& ctx_;
    bool was_;
  };

 private:
  Diagnostics& diags_;
  bool tolerant_ = false;
  bool configTest_ = false;
};

// Records where each keyword of a block was given, and warns when a single-valued
// keyword appears twice (the later one wins, as in keepalived).
class KeywordTracker {
 public:
  KeywordTracker(Diagnostics& diags, KeywordLocations& locations)
      : diags_(diags), locations_(locations) {}
  void see(const Node& n);

 private:
  Diagnostics& diags_;
  KeywordLocations& locations_;
};

void buildGlobalDefs(BuildContext& ctx, const Node& n, GlobalDefs& out);
void buildVrrpScript(BuildContext& ctx, const Node& n, VrrpScript& out);
void buildVrrpInstance(BuildContext& ctx, const Node& n, const GlobalDefs& global,
                       VrrpInstance& out);
void buildSyncGroup(BuildContext& ctx, const Node& n, SyncGroup& out);
// keepalived's protocol tunings (build_tuning.cc): true if `c` was one.
bool buildGlobalTuning(BuildContext& ctx, const Node& c, GlobalTuning& out);
bool buildInstanceTuning(BuildContext& ctx, const Node& c, InstanceTuning& out);
void buildGarpGroup(BuildContext& ctx, const Node& n, GarpGroup& out);
// Instances on a garp_group's interfaces without their own garp_interval /
// gna_interval take the group's.
void applyGarpGroups(BuildContext& ctx, Config& cfg);
// A unicast peer's min_ttl / max_ttl, or nothing when it has none.
std::optional<PeerTtl> buildPeerTtl(BuildContext& ctx, const Node& peer);
void buildBackend(BuildContext& ctx, const Node& n, Backend& out);
void buildBackendGroup(BuildContext& ctx, const Node& n, BackendGroup& out);

// Cross-references and rules that span entities: duplicates, names that must exist,
// ranges that depend on the VRRP version. Reports to ctx.
void validate(BuildContext& ctx, Config& config);

}  // namespace holdfast::config::detail
