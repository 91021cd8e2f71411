// holdfastd: entry point. Parses the command line, checks or loads the config, takes
// the pid file and runs the daemon in the foreground (systemd style).

#include <csignal>
#include <iostream>

#include "core/config/host_check.h"
#include "core/config/loader.h"
#include "core/config/summary.h"
#include "core/daemon/daemon.h"
#include "core/daemon/options.h"
#include "core/daemon/pid_file.h"
#include "core/log/logger.h"
#include "netio/interface_info.h"

using namespace holdfast;

namespace {

// Exit codes: 0 success, 1 bad configuration or start-up failure, 2 usage error;
// -t: 4 when the config would run but with tolerated mistakes.
constexpr int kExitConfig = 1;
constexpr int kExitTolerated = 4;

std::string count(int n, const std::string& what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

// holdfastd -t: every error, warning and note, the summary, and a last line that
// says which of the three outcomes it is (holdfastd(8), EXIT STATUS).
int configTest(const daemon::Options& options) {
  config::LoadResult result =
      config::loadFile(options.configPath, {.configId = options.configId, .configTest = true});
  config::Diagnostics& d = result.diagnostics;
  if (result.config) {
    config::checkHost(*result.config, d, config::HostCheck::kConfigTest, netio::interfaceExists);
    d.sortBySource(result.config->files);
  }
  std::cerr << d.str();
  const std::string& file = options.configPath;
  if (!result.config) {
    std::cout << file << ": configuration refused: " << count(d.errorCount(), "error")
              << " (exit 1)\n";
    return kExitConfig;
  }
  std::cout << file << ": " << config::summarize(*result.config);
  const int mistakes = d.warningCount();
  const int noEffect = d.noEffectCount();
  if (mistakes > 0) {
    std::cout << file << ": configuration runs, with " << count(mistakes, "tolerated mistake")
              << " handled as keepalived does"
              << (options.strict ? " (exit 1: --strict)" : " (exit 4)") << "\n";
    return options.strict ? kExitConfig : kExitTolerated;
  }
  if (d.adviceCount() > 0 && options.strict) {
    std::cout << file << ": configuration OK, but " << count(d.adviceCount(), "warning")
              << " to read (exit 1: --strict)\n";
    return kExitConfig;
  }
  if (noEffect > 0 && options.strict) {
    std::cout << file << ": configuration OK, but " << count(noEffect, "keyword")
              << " without effect in holdfast (exit 1: --strict)\n";
    return kExitConfig;
  }
  std::cout << file << ": configuration OK"
            << (noEffect > 0 ? ", " + count(noEffect, "keyword") + " without effect in holdfast"
                             : std::string())
            << " (exit 0)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  daemon::CommandLine cl = daemon::parseCommandLine(std::vector<std::string>(argv, argv + argc));
  if (cl.exitCode) {
    (*cl.exitCode == 0 ? std::cout : std::cerr) << cl.text;
    return *cl.exitCode;
  }
  const daemon::Options& options = cl.options;
  if (options.configTest) return configTest(options);
  // A SIGHUP before the main loop watches it (Daemon::run) would end the process (its
  // default action): a reload asked for during start-up is moot, the file is read now.
  std::signal(SIGHUP, SIG_IGN);

  log::configure({options.logLevel, options.logConsole || !options.logSyslog, options.logSyslog});

  config::LoadResult result = daemon::loadToRun(options);
  daemon::logDiagnostics(result.diagnostics);
  if (!result.config) {
    log::error("not starting: " + std::to_string(result.diagnostics.errorCount()) +
               " error(s) in " + options.configPath);
    return kExitConfig;
  }

  auto pidFile = daemon::PidFile::acquire(options.pidFile);
  if (!pidFile) {
    log::error("not starting: " + pidFile.error());
    return kExitConfig;
  }

  daemon::Daemon d(options, std::move(*result.config), result.diagnostics.mistakes());
  return d.run();
}
