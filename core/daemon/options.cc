#include "core/daemon/options.h"

#include <boost/program_options.hpp>
#include <sstream>

namespace holdfast::daemon {
namespace po = boost::program_options;

CommandLine parseCommandLine(const std::vector<std::string>& args) {
  CommandLine cl;
  Options& o = cl.options;
  std::string level = "info";
  std::string configId;
  po::options_description desc("Options");
  desc.add_options()("config,f", po::value(&o.configPath)->value_name("FILE"),
                     "configuration file (default /etc/holdfast/holdfast.conf)")(
      "config-id,i", po::value(&configId)->value_name("ID"),
      "config id for '@ID' lines (default: the host name up to its first '.')")(
      "config-test,t", po::bool_switch(&o.configTest),
      "check the configuration, print a summary and exit: 0 if good, 4 if it runs with "
      "tolerated mistakes, 1 if refused")("strict", po::bool_switch(&o.strict),
                                          "with -t: any warning exits 1")(
      "log-console,l", po::bool_switch(&o.logConsole), "log to stderr as well as syslog")(
      "no-syslog", "do not log to syslog")("log-level", po::value(&level)->value_name("LEVEL"),
                                           "error, warning, info (default) or debug")(
      "pid-file", po::value(&o.pidFile)->value_name("FILE"),
      "pid file, locked while running (default /run/holdfastd.pid)")(
      "control-socket", po::value(&o.controlSocket)->value_name("PATH"),
      "control socket path (default /run/holdfast/holdfast.sock)")(
      "state-dir", po::value(&o.stateDir)->value_name("DIR"),
      "where state that survives a restart is kept: maintenance mode (default "
      "/var/lib/holdfast)")("version", "print the version and exit")("help,h",
                                                                     "print this help and exit");

  std::ostringstream help;
  help << "Usage: holdfastd [OPTIONS]\n"
          "Keeps virtual IP addresses on the healthiest machine with VRRP.\n\n"
       << desc;

  po::variables_map vm;
  try {
    std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
    po::store(po::command_line_parser(rest).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    cl.exitCode = 2;
    cl.text = std::string("holdfastd: ") + e.what() + "\nTry 'holdfastd --help'.\n";
    return cl;
  }
  if (vm.count("help")) {
    cl.exitCode = 0;
    cl.text = help.str();
    return cl;
  }
  if (vm.count("version")) {
    cl.exitCode = 0;
    cl.text = "holdfastd " HOLDFAST_VERSION "\n";
    return cl;
  }
  if (vm.count("no-syslog")) o.logSyslog = false;
  if (vm.count("config-id")) o.configId = configId;
  if (!log::parseLevel(level, o.logLevel)) {
    cl.exitCode = 2;
    cl.text =
        "holdfastd: --log-level: expected error, warning, info or debug, found '" + level + "'\n";
  }
  return cl;
}

}  // namespace holdfast::daemon
