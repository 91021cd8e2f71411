// holdfastd: entry point. Parses the command line, checks or loads the config, takes
// the pid file and runs the daemon in the foreground (systemd style).

#include <iostream>

#include "core/config/loader.h"
#include "core/config/summary.h"
#include "core/daemon/daemon.h"
#include "core/daemon/options.h"
#include "core/daemon/pid_file.h"
#include "core/log/logger.h"

using namespace holdfast;

namespace {

// Exit codes: 0 success, 1 bad configuration or start-up failure, 2 usage error.
constexpr int kExitConfig = 1;

int configTest(const daemon::Options& options) {
  config::LoadResult result = config::loadFile(options.configPath, {options.configId});
  std::cerr << result.diagnostics.str();
  if (!result.config) {
    std::cerr << options.configPath << ": " << result.diagnostics.errorCount()
              << " error(s); configuration refused\n";
    return kExitConfig;
  }
  std::cout << options.configPath << ": " << config::summarize(*result.config);
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

  log::configure({options.logLevel, options.logConsole || !options.logSyslog, options.logSyslog});

  config::LoadResult result = config::loadFile(options.configPath, {options.configId});
  for (const auto& d : result.diagnostics.all()) {
    (d.severity == config::Severity::kError ? log::error : log::warning)(config::format(d));
  }
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

  daemon::Daemon d(options, std::move(*result.config));
  return d.run();
}
