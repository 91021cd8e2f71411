#include "core/config/script_access.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <variant>

namespace holdfast::config {
namespace {

namespace fs = std::filesystem;

// The PATH every script runs with (netio/process_runner.cc, kSafePath): a bare program
// name is looked up there, as keepalived looks it up in its own PATH (find_path).
constexpr std::array<std::string_view, 6> kScriptPath{
    "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"};

// Words /bin/sh reads itself: such a command has no program file to check.
constexpr std::array<std::string_view, 32> kShellWords{
    "!",    "[",    "[[",    "{",     "if",      "for",    "while",  "until",
    "case", "exit", "test",  "true",  "false",   ":",      ".",      "echo",
    "eval", "exec", "kill",  "read",  "set",     "cd",     "return", "trap",
    "wait", "type", "umask", "unset", "command", "printf", "export", "ulimit"};

struct Identity {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// The user and group the script runs as: its own `user`, else script_user, else
// defaultScriptUser() (runtime::resolveScriptUser uses the same) -- but with
// enable_script_security keepalived runs no script as a default root: it removes it.
std::variant<Identity, std::string> scriptIdentity(const VrrpScript& s, const GlobalDefs& g) {
  const bool own = !s.user.empty();
  std::string user = own ? s.user : g.scriptUser;
  const std::string group = own ? s.group : g.scriptGroup;
  if (user.empty()) {
    user = defaultScriptUser();
    if (user == "root" && g.enableScriptSecurity) {
      return std::string(
          "no script_user and no user keepalived_script, and enable_script_security "
          "forbids running it as root by default");
    }
  }
  const passwd* pw = ::getpwnam(user.c_str());
  if (!pw) return "script user '" + user + "' does not exist";
  Identity id{user, pw->pw_uid, pw->pw_gid};
  if (!group.empty()) {
    const struct group* gr = ::getgrnam(group.c_str());
    if (!gr) return "script group '" + group + "' does not exist";
    id.gid = gr->gr_gid;
  }
  return id;
}

// The command's program, or nothing when /bin/sh reads the first word itself.
std::optional<std::string> programOf(const std::string& command) {
  const size_t start = command.find_first_not_of(" \t");
  if (start == std::string::npos) return std::nullopt;
  const std::string word = command.substr(start, command.find_first_of(" \t", start) - start);
  if (word.find_first_of("$`<>|;&(){}'\"\\=*?[]~") != std::string::npos) return std::nullopt;
  if (std::find(kShellWords.begin(), kShellWords.end(), word) != kShellWords.end()) {
    return std::nullopt;
  }
  return word;
}

// Whether `id` may execute the file (or search the directory) `st`. The script runs
// with no supplementary groups (setpriv --clear-groups), so only its own group counts.
// Root may search any directory and execute a file with any execute bit, as for exec(2).
bool executable(const struct stat& st, const Identity& id) {
  if (id.uid == 0) return S_ISDIR(st.st_mode) || (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH));
  if (st.st_uid == id.uid) return st.st_mode & S_IXUSR;
  if (st.st_gid == id.gid) return st.st_mode & S_IXGRP;
  return st.st_mode & S_IXOTH;
}

std::string who(const Identity& id) {
  return "script user " + id.name + " (uid " + std::to_string(id.uid) + ", gid " +
         std::to_string(id.gid) + ")";
}

// keepalived's check_security: a path a non-root user could change (its owner is not
// root; or a directory without the sticky bit, or the file, is writable by a non-root
// group or by everyone). Every component is checked, links not followed.
std::optional<std::string> insecure(const fs::path& path) {
  fs::path prefix;
  for (const fs::path& part : path) {
    prefix /= part;
    struct stat st {};
    if (::lstat(prefix.c_str(), &st) != 0) return std::nullopt;  // reported elsewhere
    if (st.st_uid != 0) {
      return prefix.string() + " is owned by uid " + std::to_string(st.st_uid) + ", not root";
    }
    const bool guarded = S_ISDIR(st.st_mode) ? (st.st_mode & S_ISVTX) != 0 : !S_ISREG(st.st_mode);
    if (guarded) continue;
    if (st.st_mode & S_IWOTH) return prefix.string() + " is writable by everyone";
    if (st.st_gid != 0 && (st.st_mode & S_IWGRP)) {
      return prefix.string() + " is writable by group " + std::to_string(st.st_gid);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> scriptAccessProblem(const VrrpScript& script, const GlobalDefs& global) {
  auto identity = scriptIdentity(script, global);
  if (auto* why = std::get_if<std::string>(&identity)) return *why;
  const Identity& id = std::get<Identity>(identity);

  const std::optional<std::string> program = programOf(script.command);
  if (!program) return std::nullopt;
  fs::path path = *program;
  if (program->find('/') == std::string::npos) {
    // keepalived's find_path: the first directory of PATH that has it.
    path.clear();
    for (std::string_view dir : kScriptPath) {
      fs::path candidate = fs::path(dir) / *program;
      struct stat st {};
      if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        path = candidate;
        break;
      }
    }
    if (path.empty()) return "'" + *program + "' is not found in PATH";
  }

  // Every directory on the way must be searchable by the script user (keepalived
  // resolves the path as that user).
  for (fs::path dir = path.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && !executable(st, id)) {
      return dir.string() + " cannot be searched by " + who(id);
    }
    if (dir == dir.root_path()) break;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return path.string() + " does not exist";
    return path.string() + " cannot be accessed (" + std::strerror(errno) + ")";
  }
  if (!S_ISREG(st.st_mode)) return path.string() + " is not a regular file";
  if (!executable(st, id)) return path.string() + " is not executable by " + who(id);

  // With enable_script_security keepalived refuses a script run as root that a
  // non-root user could change (need_script_protection in check_script_secure).
  if (global.enableScriptSecurity && (id.uid == 0 || id.gid == 0)) {
    if (auto why = insecure(path)) return *why + " (enable_script_security)";
    std::error_code ec;
    const fs::path real = fs::canonical(path, ec);
    if (!ec && real != path) {
      if (auto why = insecure(real)) return *why + " (enable_script_security)";
    }
  }
  return std::nullopt;
}

std::string defaultScriptUser() {
  return ::getpwnam("keepalived_script") ? "keepalived_script" : "root";
}

namespace detail {

void disableInaccessibleScripts(BuildContext& ctx, Config& cfg) {
  // No scripts, no user lookup: getpwnam loads the NSS modules (and their
  // libraries) into the daemon for good.
  if (cfg.scripts.empty()) return;
  // keepalived's default: scripts run as root when neither script_user nor the user
  // keepalived_script exists (it logs a SECURITY VIOLATION); say so once.
  const bool defaultRoot = cfg.global.scriptUser.empty() && !cfg.global.enableScriptSecurity &&
                           defaultScriptUser() == "root";
  for (const VrrpScript& script : cfg.scripts) {
    if (!defaultRoot || !script.user.empty()) continue;
    ctx.diags().note(script.where,
                     "scripts without their own 'user' run as root: global_defs sets no "
                     "script_user and there is no user keepalived_script, as keepalived runs "
                     "them; set script_user to run them unprivileged");
    break;
  }
  for (VrrpScript& script : cfg.scripts) {
    if (script.command.empty()) continue;  // a missing `script` is an error elsewhere
    auto problem = scriptAccessProblem(script, cfg.global);
    if (!problem) continue;
    const SourceLocation& at = script.locations.at("script", script.where);
    if (ctx.configTest()) {
      ctx.diags().note(at, "vrrp_script '" + script.name + "': " + *problem +
                               " on this machine; tracking of '" + script.name +
                               "' would be disabled here, as keepalived does");
      continue;
    }
    script.disabledReason = *problem;
    ctx.diags().warning(at, "vrrp_script '" + script.name + "': " + *problem + "; tracking of '" +
                                script.name + "' is disabled, as keepalived does");
    // keepalived removes the script from every instance's (and sync group's)
    // track_script; holdfast's sync groups track no scripts.
    for (VrrpInstance& vi : cfg.instances) {
      std::erase_if(vi.trackScripts, [&](const TrackRef& r) { return r.name == script.name; });
    }
  }
}

}  // namespace detail
}  // namespace holdfast::config
