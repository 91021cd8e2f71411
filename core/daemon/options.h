#pragma once
// holdfastd's command line (Boost.Program_options).

#include <optional>
#include <string>
#include <vector>

#include "core/log/logger.h"

namespace holdfast::daemon {

inline constexpr const char* kDefaultConfig = "/etc/holdfast/holdfast.conf";
inline constexpr const char* kDefaultPidFile = "/run/holdfastd.pid";
inline constexpr const char* kDefaultControlSocket = "/run/holdfast/holdfast.sock";
inline constexpr const char* kDefaultStateDir = "/var/lib/holdfast";

struct Options {
  std::string configPath = kDefaultConfig;
  // -i/--config-id: what `@ID` config lines are compared with; unset, the host name
  // up to its first '.' (config::hostConfigId), as in keepalived.
  std::optional<std::string> configId;
  bool configTest = false;
  bool strict = false;  // -t: any warning exits 1
  bool logConsole = false;
  bool logSyslog = true;
  log::Level logLevel = log::Level::kInfo;
  std::string pidFile = kDefaultPidFile;
  std::string controlSocket = kDefaultControlSocket;
  // What outlives the process: maintenance mode (maintenance_store.h).
  std::string stateDir = kDefaultStateDir;
};

// What the command line asks for: run with `options`, or print `text` and exit
// with `exitCode` (help, version, usage errors).
struct CommandLine {
  Options options;
  std::optional<int> exitCode;
  std::string text;
};

CommandLine parseCommandLine(const std::vector<std::string>& args);

}  // namespace holdfast::daemon
