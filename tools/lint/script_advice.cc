#include "tools/lint/script_advice.h"

#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "netio/duration_text.h"

namespace holdfast::lint {

namespace {

constexpr off_t kMaxScript = 64 * 1024;

// The script file's text when it is a readable, small regular file (where the command
// names it, else beside the config file: configs are often linted away from the node,
// with its scripts copied along); else "".
std::string scriptText(const std::string& command, const std::string& configFile) {
  std::string path = command.substr(0, command.find_first_of(" \t"));
  if (path.empty()) return "";
  auto usable = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= kMaxScript;
  };
  if (!usable(path)) {
    const auto dir = configFile.rfind('/');
    path = (dir == std::string::npos ? "" : configFile.substr(0, dir + 1)) +
           path.substr(path.rfind('/') + 1);
    if (!usable(path)) return "";
  }
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string stripService(std::string unit) {
  if (unit.ends_with(".service")) unit.resize(unit.size() - 8);
  return unit;
}

std::string trackRef(const config::VrrpScript& s) {
  return s.weight == 0 ? "" : " weight " + std::to_string(s.weight);
}

std::string timing(const config::VrrpScript& s) {
  return "interval " + netio::formatDuration(s.interval) + "  fall " + std::to_string(s.fall) +
         "  rise " + std::to_string(s.rise);
}

// `nc [-options] HOST PORT` with -z among the options: the host and port (the
// options that take a value skip it).
bool netcatZero(const std::string& args, ScriptTest& t) {
  std::istringstream in(args);
  std::vector<std::string> words;
  bool zero = false;
  for (std::string w; in >> w;) {
    if (w.size() > 1 && w[0] == '-') {
      if (w.find('z') != std::string::npos) zero = true;
      if (w.size() == 2 && std::string("wiqsspWXx").find(w[1]) != std::string::npos) in >> w;
      continue;
    }
    words.push_back(w);
  }
  if (!zero || words.size() < 2 || words[1].find_first_not_of("0123456789") != std::string::npos ||
      words[1].size() > 5) {
    return false;
  }
  t.kind = ScriptTest::Kind::kTcp;
  t.host = words[0];
  t.port = std::stoi(words[1]);
  return true;
}

}  // namespace

ScriptTest recognise(const std::string& text) {
  static const std::regex process(
      R"((killall\s+-0\s+|pidof\s+(?:-\S+\s+)*|pgrep\s+(?:-\S+\s+)*)([A-Za-z0-9_.:@-]+))");
  static const std::regex systemd(
      R"(systemctl\s+(?:-\S+\s+)*is-active\s+(?:-\S+\s+)*([A-Za-z0-9_.:@-]+))");
  static const std::regex http(
      R"((?:curl|wget)\b[^\n|;&]*?\b(https?)://(\[[0-9a-fA-F:.]+\]|[^/\s:'"]+)(?::(\d+))?(/[^\s'"]*)?)");
  static const std::regex nc(R"(\b(?:nc|ncat|netcat)\s+([^|;&\n]*))");
  static const std::regex devtcp(R"(/dev/tcp/([^/\s]+)/(\d+))");
  ScriptTest t;
  std::smatch m;
  if (std::regex_search(text, m, http)) {
    t.kind = ScriptTest::Kind::kHttp;
    t.scheme = m[1];
    t.host = m[2];
    t.port = m[3].matched ? std::stoi(m[3]) : (t.scheme == "https" ? 443 : 80);
    t.path = m[4].matched ? std::string(m[4]) : "/";
    t.found = m[0];
  } else if (std::regex_search(text, m, nc) && netcatZero(m[1], t)) {
    t.found = m[0];
  } else if (std::regex_search(text, m, devtcp)) {
    t.kind = ScriptTest::Kind::kTcp;
    t.host = m[1];
    t.port = std::stoi(m[2]);
    t.found = m[0];
  } else if (std::regex_search(text, m, process)) {
    t.kind = ScriptTest::Kind::kProcess;
    t.process = m[2];
    t.found = m[0];
  } else if (std::regex_search(text, m, systemd)) {
    t.kind = ScriptTest::Kind::kProcess;
    t.process = stripService(m[1]);
    t.found = m[0];
  }
  if (t.host == "localhost") t.host = "127.0.0.1";
  if (t.host.size() > 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  return t;
}

void adviseScripts(const Node& node, std::vector<Finding>& out) {
  std::set<std::string> tracked;
  for (const auto& vi : node.config.instances) {
    for (const auto& r : vi.trackScripts) tracked.insert(r.name);
  }
  for (const auto& s : node.config.scripts) {
    if (!tracked.contains(s.name)) continue;
    ScriptTest t = recognise(s.command);
    std::string in = "its command";
    if (t.kind == ScriptTest::Kind::kNone) {
      t = recognise(scriptText(s.command, node.name));
      in = "the script";
    }
    const std::string head =
        node.name + ": vrrp_script " + s.name + " (" + in + " runs `" + t.found + "`): ";
    switch (t.kind) {
      case ScriptTest::Kind::kNone:
        continue;
      case ScriptTest::Kind::kProcess:
        out.push_back({Severity::kAdvice, "", "script",
                       head +
                           "holdfast watches the process itself and sees it die within "
                           "milliseconds (a pidfd), not at the script's next run: "
                           "`vrrp_track_process " +
                           t.process + " { process " + t.process + trackRef(s) +
                           " }` and `track_process { " + t.process + " }` in the instance"});
        break;
      case ScriptTest::Kind::kHttp:
        out.push_back(
            {Severity::kAdvice, "", "script",
             head +
                 "a native HTTP check costs no fork per probe and names the cause of a "
                 "failure (status, body, timeout, refused): `backend " +
                 s.name + " { address " + t.host + "  check http { port " + std::to_string(t.port) +
                 "  path " + t.path + (t.scheme == "https" ? "  tls" : "") + "  " + timing(s) +
                 " } }` and `track_backend { " + s.name + trackRef(s) + " }` in the instance"});
        break;
      case ScriptTest::Kind::kTcp:
        out.push_back({Severity::kAdvice, "", "script",
                       head + "a native TCP check costs no fork per probe: `backend " + s.name +
                           " { address " + t.host + "  check tcp { port " + std::to_string(t.port) +
                           "  " + timing(s) + " } }` and `track_backend { " + s.name + trackRef(s) +
                           " }` in the instance"});
        break;
    }
  }
}

}  // namespace holdfast::lint
