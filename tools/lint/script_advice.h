#pragma once
// holdfastctl lint: the vrrp_scripts a native holdfast item does better. The usual
// check_nginx.sh lines (`killall -0 nginx`, `pidof`, `pgrep`, `systemctl is-active`,
// `curl http://...`, `wget`, `nc -z`, bash's /dev/tcp) are found in the script's
// command and, when the file is readable here, in the script itself; each gets the
// vrrp_track_process or backend block that replaces it, with the script's weight.

#include <string>
#include <vector>

#include "tools/lint/cluster_lint.h"

namespace holdfast::lint {

// What a script's text tests, when it is one of the usual one-liners.
struct ScriptTest {
  enum class Kind { kNone, kProcess, kHttp, kTcp } kind = Kind::kNone;
  std::string process;             // kProcess: the process name
  std::string scheme, host, path;  // kHttp
  int port = 0;                    // kHttp, kTcp
  std::string found;               // the text that matched, for the message
};
ScriptTest recognise(const std::string& text);

// Advice for each vrrp_script of `node` that an instance tracks.
void adviseScripts(const Node& node, std::vector<Finding>& out);

}  // namespace holdfast::lint
