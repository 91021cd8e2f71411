// holdfastctl: the diagnostics tool. This version knows its command set and prints
// usage; the subcommands talk to holdfastd's control socket once it serves one.

#include <boost/program_options.hpp>
#include <iostream>
#include <set>
#include <string>

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "Usage: holdfastctl [--socket PATH] [--json] COMMAND [ARGS]\n"
    "Shows what holdfastd sees and why.\n\n"
    "Commands:\n"
    "  status              every instance and backend on one screen\n"
    "  vrrp [INSTANCE]     timers, counters and the last transition\n"
    "  checks [BACKEND]    every health check and its last result\n"
    "  why INSTANCE        how the effective priority was computed\n"
    "  events [-f]         the event log\n"
    "  reload              validate and apply the config file\n"
    "  sniff IFACE         decode VRRP and gratuitous ARP on the wire\n";

const std::set<std::string> kCommands{"status", "vrrp",   "checks", "why",
                                      "events", "reload", "sniff"};

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("Options");
  std::string socket = "/run/holdfast/holdfast.sock";
  desc.add_options()("socket,s", po::value(&socket)->value_name("PATH"), "control socket")(
      "json", "print JSON instead of tables")("version", "print the version and exit")(
      "help,h", "print this help and exit")("command", po::value<std::vector<std::string>>(),
                                            "command and its arguments");
  po::positional_options_description pos;
  pos.add("command", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "holdfastctl: " << e.what() << "\n" << kUsage;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << kUsage << "\n" << desc;
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "holdfastctl " HOLDFAST_VERSION "\n";
    return 0;
  }
  if (!vm.count("command")) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string cmd = vm["command"].as<std::vector<std::string>>().front();
  if (!kCommands.contains(cmd)) {
    std::cerr << "holdfastctl: unknown command '" << cmd << "'\n" << kUsage;
    return 2;
  }
  std::cerr << "holdfastctl: '" << cmd
            << "' needs holdfastd's control socket, which this version does not serve yet\n";
  return 3;
}
