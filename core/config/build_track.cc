// Typing of keepalived's track_file (vrrp_track_file) and vrrp_track_process blocks,
// and the resolution of an instance's track_file and track_process lists. keepalived
// 2.2.7 is the reference (trackers/track_file.c, vrrp/vrrp_parser.c): a bad value is
// reported and the default kept, a block without its file or process is dropped, a
// name that resolves to nothing is ignored.

#include "core/config/build_track.h"
#include "core/config/build_context.h"

#include <cctype>
#include <map>

namespace holdfast::config::detail {
namespace {

constexpr int kMaxTrackWeight = 254;

void weightAndReverse(BuildContext& ctx, const Node& c, int& weight, bool& reverse) {
  if (auto w = ctx.integer(c, -kMaxTrackWeight, kMaxTrackWeight)) weight = *w;
  if (c.args.size() > 1) {
    if (c.args[1].text == "reverse") {
      reverse = true;
    } else {
      ctx.error(c.args[1], "weight",
                "expected 'reverse' after the weight, found '" + c.args[1].text + "'");
    }
  }
}

void initFile(BuildContext& ctx, const Node& c, TrackFile& f) {
  f.init = true;
  f.initValue = 0;
  for (size_t i = 0; i < c.args.size(); ++i) {
    const std::string& word = c.args[i].text;
    if (!word.empty() && (std::isdigit(static_cast<unsigned char>(word[0])) || word[0] == '-')) {
      auto v = ctx.integer(c, INT32_MIN, INT32_MAX, i);
      f.initValue = v.value_or(0);
      if (v && (*v < -kMaxTrackWeight || *v > kMaxTrackWeight)) {
        ctx.diags().warning(c.args[i].where, "track_file '" + f.name + "' init value " + word +
                                                 " is outside the sensible range -254..254 "
                                                 "(written as given, as keepalived does)");
      }
    } else if (word == "overwrite") {
      f.overwrite = true;
    } else {
      ctx.error(c.args[i], "init_file", "expected a value or 'overwrite', found '" + word + "'");
    }
  }
}

void quorum(BuildContext& ctx, const Node& c, TrackProcess& p) {
  auto q = ctx.integer(c, 1, 65535);
  if (!q) return;
  if (*q > p.quorumMax) {
    ctx.diags().warning(c.args[0].where, "vrrp_track_process '" + p.name + "': quorum " +
                                             std::to_string(*q) + " is greater than quorum_max " +
                                             std::to_string(p.quorumMax) +
                                             "; ignored, as keepalived does");
    return;
  }
  p.quorum = *q;
}

void quorumMax(BuildContext& ctx, const Node& c, TrackProcess& p) {
  auto q = ctx.integer(c, 0, 65535);
  if (!q) return;
  // keepalived allows quorum_max 0 (the process must not run) unless quorum is set above 1.
  if ((*q != 0 || p.quorum > 1) && *q < p.quorum) {
    ctx.diags().warning(c.args[0].where, "vrrp_track_process '" + p.name + "': quorum_max " +
                                             std::to_string(*q) + " is less than quorum " +
                                             std::to_string(p.quorum) +
                                             "; ignored, as keepalived does");
    return;
  }
  p.quorumMax = *q;
  if (*q == 0) {
    p.quorum = 0;
  } else if (p.quorum == 0) {
    p.quorum = 1;
  }
}

template <typename T>
void dropDuplicateBlocks(BuildContext& ctx, std::vector<T>& items, std::string_view what) {
  std::map<std::string, SourceLocation> seen;
  std::erase_if(items, [&](const T& item) {
    auto [it, fresh] = seen.emplace(item.name, item.where);
    if (fresh) return false;
    ctx.diags().warning(item.where, "duplicate " + std::string(what) + " '" + item.name +
                                        "' (first declared at " + it->second.fileLine() +
                                        "); tracking uses the first, as keepalived does");
    return true;
  });
}

// Unknown and repeated names are dropped from an instance's list, as keepalived does.
void resolveList(Diagnostics& d, std::vector<TrackRef>& refs, const std::string& who,
                 const char* keyword, const char* block, auto find) {
  std::vector<std::string> seen;
  std::erase_if(refs, [&](const TrackRef& t) {
    if (!find(t.name)) {
      d.warning(t.where, who + ": " + keyword + " '" + t.name + "' names no " + block +
                             "; ignored, as keepalived does");
      return true;
    }
    if (std::find(seen.begin(), seen.end(), t.name) != seen.end()) {
      d.warning(t.where,
                who + ": duplicate " + keyword + " '" + t.name + "'; ignored, as keepalived does");
      return true;
    }
    seen.push_back(t.name);
    return false;
  });
}

}  // namespace

void buildTrackFile(BuildContext& ctx, const Node& n, TrackFile& f) {
  BuildContext::Tolerant tolerant(ctx);
  f.name = n.args[0].text;
  f.where = n.where();
  if (n.keyword.text == "vrrp_track_file") {
    ctx.diags().note(n.where(),
                     "'vrrp_track_file' is deprecated, use 'track_file' (keepalived "
                     "says the same)");
  }
  for (const Node& c : n.children) {
    const std::string& k = c.keyword.text;
    if (k == "file") {
      if (!f.path.empty()) {
        ctx.diags().warning(c.where(), "track_file '" + f.name +
                                           "': file already set; ignored, as keepalived does");
      } else {
        f.path = c.args[0].text;
      }
    } else if (k == "weight") {
      weightAndReverse(ctx, c, f.weight, f.reverse);
    } else if (k == "init_file") {
      initFile(ctx, c, f);
    }
  }
}

void buildTrackProcess(BuildContext& ctx, const Node& n, TrackProcess& p) {
  BuildContext::Tolerant tolerant(ctx);
  p.name = n.args[0].text;
  p.where = n.where();
  for (const Node& c : n.children) {
    const std::string& k = c.keyword.text;
    if (k == "process") {
      if (!p.process.empty()) {
        ctx.diags().warning(c.where(), "vrrp_track_process '" + p.name +
                                           "': process already set; ignored, as keepalived does");
        continue;
      }
      p.process = c.args[0].text;
      for (size_t i = 1; i < c.args.size(); ++i) p.params.push_back(c.args[i].text);
      if (!p.params.empty()) {
        // Parameters are matched against the command line (keepalived: exact by default).
        if (p.paramMatch == ParamMatch::kNone) p.paramMatch = ParamMatch::kExact;
        p.fullCommand = true;
      }
    } else if (k == "param_match") {
      if (c.args.empty()) {
        p.paramMatch = ParamMatch::kExact;
      } else if (c.args[0].text == "initial") {
        p.paramMatch = ParamMatch::kInitial;
      } else if (c.args[0].text == "partial") {
        p.paramMatch = ParamMatch::kPartial;
      } else {
        ctx.error(c.args[0], "param_match",
                  "expected 'initial' or 'partial', found '" + c.args[0].text + "'");
        continue;
      }
      p.fullCommand = true;
    } else if (k == "full_command") {
      p.fullCommand = true;
    } else if (k == "weight") {
      weightAndReverse(ctx, c, p.weight, p.reverse);
    } else if (k == "quorum") {
      quorum(ctx, c, p);
    } else if (k == "quorum_max") {
      quorumMax(ctx, c, p);
    } else if (k == "delay" || k == "fork_delay" || k == "terminate_delay") {
      auto d = ctx.duration(c);
      if (!d) continue;
      if (*d <= Duration{0} || *d > std::chrono::hours(1)) {
        ctx.error(c.args[0], k, "must be within 0.000001..3600 seconds");
        continue;
      }
      if (k != "fork_delay") p.terminateDelay = *d;
      if (k != "terminate_delay") p.forkDelay = *d;
    }
  }
}

void validateTrackBlocks(BuildContext& ctx, Config& cfg) {
  std::erase_if(cfg.trackFiles, [&](const TrackFile& f) {
    if (!f.path.empty()) return false;
    ctx.diags().warning(f.where, "track_file '" + f.name +
                                     "' has no 'file'; removed (tracking it is ignored), as "
                                     "keepalived does");
    return true;
  });
  std::erase_if(cfg.trackProcesses, [&](const TrackProcess& p) {
    if (!p.process.empty()) return false;
    ctx.diags().warning(p.where, "vrrp_track_process '" + p.name +
                                     "' has no 'process'; removed (tracking it is ignored), as "
                                     "keepalived does");
    return true;
  });
  dropDuplicateBlocks(ctx, cfg.trackFiles, "track_file");
  dropDuplicateBlocks(ctx, cfg.trackProcesses, "vrrp_track_process");
}

void resolveTracking(Diagnostics& d, VrrpInstance& vi, const Config& cfg, const std::string& who,
                     bool ownerOrUnweightedGroup, const std::string& why) {
  resolveList(d, vi.trackFiles, who, "track_file", "track_file",
              [&](const std::string& n) { return cfg.findTrackFile(n); });
  resolveList(d, vi.trackProcesses, who, "track_process", "vrrp_track_process",
              [&](const std::string& n) { return cfg.findTrackProcess(n); });
  if (!ownerOrUnweightedGroup) return;
  // keepalived (vrrp.c): a track_file at its default weight 1 becomes unweighted (a
  // non-zero value faults); any other weight is dropped. track_process is left alone.
  std::erase_if(vi.trackFiles, [&](TrackRef& t) {
    const int w = t.hasWeight ? t.weight : cfg.findTrackFile(t.name)->weight;
    if (w == 0) return false;
    if (w == 1) {
      d.warning(t.where, who + " is " + why + ": weight of tracked file '" + t.name +
                             "' ignored (specify weight 0), as keepalived does");
      t.weight = 0;
      t.hasWeight = true;
      return false;
    }
    d.warning(t.where, who + " is " + why + ": tracked file '" + t.name + "' with weight " +
                           std::to_string(w) + " is ignored, as keepalived does");
    return true;
  });
}

}  // namespace holdfast::config::detail
