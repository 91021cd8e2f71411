#include "core/runtime/process_tracker.h"

#include <algorithm>
#include <string_view>

#include "core/log/logger.h"

namespace holdfast::runtime {

bool processMatches(const config::TrackProcess& p, const ProcessInfo& info) {
  if (!p.fullCommand) return info.comm == p.process;
  const std::string_view cmd = info.cmdline;
  const size_t end = cmd.find('\0');
  const std::string_view argv0 = cmd.substr(0, end);
  if (argv0 != p.process) return false;
  if (p.paramMatch == config::ParamMatch::kNone) return true;
  // keepalived compares the bytes after argv[0]'s NUL with the configured parameters,
  // each ending in a NUL.
  const std::string_view params = end == std::string_view::npos ? "" : cmd.substr(end + 1);
  std::string want;
  for (const auto& a : p.params) {
    want += a;
    want += '\0';
  }
  if (params.size() < want.size()) return false;
  switch (p.paramMatch) {
    case config::ParamMatch::kExact:
      return params == want;
    case config::ParamMatch::kPartial:
      return params.starts_with(want);
    case config::ParamMatch::kInitial:
      // The last parameter may be longer than configured: its NUL is not compared.
      return want.size() <= 1 ||
             params.starts_with(std::string_view(want).substr(0, want.size() - 1));
    case config::ParamMatch::kNone:
      break;
  }
  return true;
}

ProcessTracker::ProcessTracker(Kernel& kernel, std::map<std::string, TrackedProcess>& states,
                               Changed changed)
    : kernel_(kernel), states_(states), changed_(std::move(changed)) {}

void ProcessTracker::sync(const std::vector<config::TrackProcess>& wanted) {
  const bool same = wanted.size() == entries_.size() &&
                    std::all_of(wanted.begin(), wanted.end(), [&](const config::TrackProcess& p) {
                      auto it = entries_.find(p.name);
                      return it != entries_.end() && it->second.cfg == p;
                    });
  if (same) return;
  // Start over: one fresh scan counts every block, old and new, the same way.
  events_.reset();
  entries_.clear();
  counted_.clear();
  std::erase_if(states_, [&](const auto& s) {
    return std::none_of(wanted.begin(), wanted.end(),
                        [&](const auto& p) { return p.name == s.first; });
  });
  if (wanted.empty()) return;
  bool cmdline = false;
  for (const config::TrackProcess& p : wanted) {
    Entry& e = entries_[p.name];
    e.cfg = p;
    e.delay = kernel_.timer();
    cmdline = cmdline || p.fullCommand;
    TrackedProcess& st = states_[p.name];
    st.weight = p.weight;
    st.reverse = p.reverse;
  }
  events_ = kernel_.processEvents(
      cmdline, [this](const ProcessInfo& info) { seen(info); }, [this](int pid) { exited(pid); });
  scanning_ = true;
  events_->start();
  for (auto& [name, e] : entries_) settle(name, e);
  scanning_ = false;
  log::info("track_process: " + std::to_string(entries_.size()) +
            " block(s) tracked; exits seen through pidfds, new processes through " +
            events_->how());
}

bool ProcessTracker::quorate(const Entry& e) const {
  const int n = static_cast<int>(e.pids.size());
  return n >= e.cfg.quorum && n <= e.cfg.quorumMax;
}

void ProcessTracker::count(int pid, int delta) {
  auto it = counted_.find(pid);
  if (delta > 0) {
    ++counted_[pid];
    return;
  }
  if (it == counted_.end()) return;
  if (--it->second <= 0) {
    counted_.erase(it);
    if (events_) events_->unwatch(pid);
  }
}

void ProcessTracker::seen(const ProcessInfo& info) {
  bool gone = false;
  for (auto& [name, e] : entries_) {
    const bool match = processMatches(e.cfg, info);
    const bool had = e.pids.contains(info.pid);
    if (match && !had && !gone) {
      if (!counted_.contains(info.pid) && !events_->watchExit(info.pid)) {
        gone = true;  // exited between the event and now
        continue;
      }
      e.pids.insert(info.pid);
      count(info.pid, +1);
      judge(name, e);
    } else if (!match && had) {
      // It exec'd something else or renamed itself.
      e.pids.erase(info.pid);
      count(info.pid, -1);
      judge(name, e);
    }
  }
}

void ProcessTracker::exited(int pid) {
  counted_.erase(pid);
  for (auto& [name, e] : entries_) {
    if (e.pids.erase(pid) > 0) judge(name, e);
  }
}

void ProcessTracker::judge(const std::string& name, Entry& e) {
  TrackedProcess& st = states_[name];
  st.count = static_cast<int>(e.pids.size());
  if (scanning_) return;  // sync() settles every block once the scan is done
  const bool q = quorate(e);
  if (q == st.up) {
    // Back where it was before the wait ended: the wait is void (keepalived cancels it).
    if (e.delayed) {
      e.delay->cancel();
      e.delayed = false;
    }
    settle(name, e);  // the count in the detail
    return;
  }
  const config::Duration wait = q ? e.cfg.forkDelay : e.cfg.terminateDelay;
  if (wait.count() == 0) {
    settle(name, e);
    return;
  }
  if (e.delayed) return;
  e.delayed = true;
  e.delay->armAt(
      kernel_.now() + wait,
      [this, name] {
        auto it = entries_.find(name);
        if (it == entries_.end()) return;
        it->second.delayed = false;
        settle(name, it->second);
      },
      false);
}

void ProcessTracker::settle(const std::string& name, Entry& e) {
  TrackedProcess& st = states_[name];
  st.count = static_cast<int>(e.pids.size());
  const bool q = quorate(e);
  st.detail = std::to_string(st.count) + " running, quorum " + std::to_string(e.cfg.quorum) +
              (e.cfg.quorumMax >= 65535 ? " or more" : ".." + std::to_string(e.cfg.quorumMax));
  if (q == st.up && !scanning_) return;
  const bool changed = q != st.up;
  st.up = q;
  if (changed || scanning_) {
    log::info("track_process " + name + ": quorum " + (q ? "holds" : "lost") + " (" + st.detail +
              ")");
  }
  if (changed && !scanning_) changed_(name);
}

}  // namespace holdfast::runtime
