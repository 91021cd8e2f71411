#include "core/runtime/script_tracker.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/config/script_access.h"
#include "core/config/values.h"
#include "core/log/logger.h"

namespace holdfast::runtime {

std::expected<netio::ScriptIdentity, std::string> resolveScriptUser(const std::string& user,
                                                                    const std::string& group) {
  std::string name = user;
  if (name.empty()) name = config::defaultScriptUser();
  const passwd* pw = ::getpwnam(name.c_str());
  if (!pw) return std::unexpected("script user '" + name + "' does not exist");
  netio::ScriptIdentity id{name, pw->pw_uid, pw->pw_gid};
  if (!group.empty()) {
    const struct group* gr = ::getgrnam(group.c_str());
    if (!gr) return std::unexpected("script group '" + group + "' does not exist");
    id.gid = gr->gr_gid;
  }
  return id;
}

std::optional<std::string> unsafeScript(const std::string& command) {
  std::string path = command.substr(0, command.find_first_of(" \t"));
  if (path.empty() || path[0] != '/') return std::nullopt;
  namespace fs = std::filesystem;
  for (fs::path p = path; !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
      if (p == fs::path(path)) return path + " does not exist";
      break;
    }
    if (st.st_uid != 0)
      return p.string() + " is owned by uid " + std::to_string(st.st_uid) + ", not root";
    // In a sticky directory (/tmp) only a file's owner may replace it: a root-owned
    // script there is safe even though others may write to the directory.
    const bool stickyDir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
    if ((st.st_mode & S_IWOTH) && !stickyDir) return p.string() + " is writable by everyone";
    if ((st.st_mode & S_IWGRP) && st.st_gid != 0 && !stickyDir) {
      return p.string() + " is writable by group " + std::to_string(st.st_gid);
    }
    if (p == p.root_path()) break;
  }
  return std::nullopt;
}

ScriptTracker::ScriptTracker(boost::asio::io_context& io, config::VrrpScript script,
                             netio::ScriptIdentity who, OnChange onChange)
    : script_(std::move(script)),
      who_(std::move(who)),
      onChange_(std::move(onChange)),
      // init_fail is accepted and, as in keepalived 2.2.7, has no effect: a tracked
      // script starts pending (script_verdict.h).
      policy_(script_.rise, script_.fall),
      intervalTimer_(io),
      runner_(io) {
  refused_ = unsafeScript(script_.command);
  if (refused_) {
    log::error("vrrp_script " + script_.name + " (" + script_.where.fileLine() +
               "): refusing to run it: " + *refused_ + "; it counts as down");
    policy_ = ScriptVerdict(1, 1, /*startDown=*/true);
    lastResult_ = "refused: " + *refused_;
  }
}

ScriptTracker::~ScriptTracker() {
  stop();
}

void ScriptTracker::start(std::chrono::microseconds firstRunIn) {
  stopped_ = false;
  if (!refused_) schedule(firstRunIn);
}

void ScriptTracker::stop() {
  stopped_ = true;
  intervalTimer_.cancel();
  runner_.kill();
}

void ScriptTracker::schedule(std::chrono::microseconds in) {
  intervalTimer_.expires_after(in);
  intervalTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    run();
    schedule(script_.interval);
  });
}

void ScriptTracker::run() {
  if (runner_.running()) return;  // the previous run has not finished: never two at once
  const auto timeout = script_.timeout.value_or(script_.interval);
  runner_.start(script_.command, who_, timeout, [this, timeout](const netio::RunResult& r) {
    if (!r.error.empty()) {
      record(false, r.error);
    } else if (r.timedOut) {
      record(false, "timed out after " + config::formatDuration(timeout) + " (killed)");
    } else {
      record(r.exitStatus == 0, "exit " + std::to_string(r.exitStatus));
    }
  });
}

void ScriptTracker::record(bool success, std::string what) {
  lastResult_ = what;
  const bool first = policy_.pending();
  if (!policy_.feed(success)) return;
  // keepalived decides on the first result whatever rise/fall say; say which it was.
  const std::string count =
      first ? "first result"
            : std::to_string(policy_.up() ? script_.rise : script_.fall) + " in a row";
  log::info("vrrp_script " + script_.name + ": now " + (policy_.up() ? "UP" : "DOWN") + " (" +
            what + ", " + count + ")");
  onChange_(*this);
}

}  // namespace holdfast::runtime
