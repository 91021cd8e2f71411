// holdfastctl: shows what holdfastd sees and why, over its control socket, and
// decodes VRRP on the wire (sniff) with or without a running holdfastd.
//
// Exit codes: 0 success; 1 the answer is not what was asked for (status --expect
// not met, no such instance, a refused reload, conflicts seen by sniff); 2 usage
// error; 3 holdfastd cannot be reached (or the capture cannot start). lint: 0 clean,
// 1 problems found, 2 usage.

#include <boost/program_options.hpp>
#include <chrono>
#include <csignal>
#include <iostream>
#include <set>
#include <string>

#include "netio/pcap_source.h"
#include "tools/holdfastctl/client.h"
#include "tools/holdfastctl/handover.h"
#include "tools/holdfastctl/maintenance.h"
#include "tools/holdfastctl/tables.h"
#include "tools/lint/lint_command.h"
#include "tools/sniff/sniff_model.h"

namespace po = boost::program_options;
using nlohmann::json;
using namespace holdfast;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitNotAsExpected = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

constexpr const char* kUsage =
    "Usage: holdfastctl [OPTIONS] COMMAND [ARGS]\n"
    "Shows what holdfastd sees and why.\n\n"
    "Commands:\n"
    "  status              every instance and backend on one screen\n"
    "                      (--quiet --expect STATE: exit status only)\n"
    "  vrrp [INSTANCE]     timers, counters and the last transition\n"
    "  checks [BACKEND]    every health check and its last result\n"
    "  why INSTANCE        how the effective priority was computed, and who is master\n"
    "  events [-f]         the event log; -f follows it\n"
    "  reload              validate and apply the config file (as SIGHUP does)\n"
    "  handover INSTANCE...  give mastership to the best peer without losing a request\n"
    "                      (--all: every master instance; --wait SECONDS, default 10)\n"
    "  maintenance [on|off]  show, or set, maintenance mode: priority 1 on every instance,\n"
    "                      masters hand over first (--reason TEXT; --wait SECONDS); kept\n"
    "                      across restarts\n"
    "  sniff IFACE         decode VRRP and gratuitous ARP/NA on the wire (--seconds N)\n"
    "  sniff --read FILE   the same from a pcap file\n"
    "  lint FILE...        the cluster's node configs side by side: do they agree, and\n"
    "                      does each tracked item's failure move the VIP (no daemon needed)\n";

volatile std::sig_atomic_t interrupted = 0;

struct Args {
  std::string socket = "/run/holdfast/holdfast.sock";
  bool json = false;
  bool quiet = false;
  std::string expect;
  bool follow = false;
  double seconds = 10;
  std::string read;
  bool all = false;
  double wait = 10;
  std::string reason;
  int timeoutMs = 10000;
  size_t limit = 1000;
  std::string command;
  std::vector<std::string> rest;
};

int fail(int code, const std::string& what) {
  std::cerr << "holdfastctl: " << what << "\n";
  return code;
}

std::expected<json, std::string> ask(ctl::Client& c, const json& req, int timeoutMs) {
  if (auto s = c.send(req); !s) return std::unexpected(s.error());
  return c.receive(timeoutMs);
}

int sniffCommand(const Args& a) {
  if (a.read.empty() && a.rest.empty()) return fail(kExitUsage, "sniff needs IFACE or --read FILE");
  if (!a.read.empty() && !a.rest.empty())
    return fail(kExitUsage, "sniff takes IFACE or --read FILE, not both");
  auto src =
      a.read.empty() ? netio::PcapSource::live(a.rest.front()) : netio::PcapSource::file(a.read);
  if (!src) return fail(kExitUnreachable, "cannot capture: " + src.error());
  const int link = src->linkType();
  if (link != sniff::kLinkEthernet && link != sniff::kLinkLinuxCooked) {
    return fail(kExitUnreachable, "unsupported link type " + std::to_string(link) +
                                      " (Ethernet or Linux cooked capture expected)");
  }
  if (a.read.empty() && !a.quiet && !a.json) {
    std::cerr << "holdfastctl: listening on " << a.rest.front() << " for " << a.seconds
              << "s (Ctrl-C to stop early)\n";
  }
  sniff::Model model;
  auto wallNow = [] {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  if (a.read.empty()) model.cover(wallNow());
  auto r = src->run([&](double t, std::span<const uint8_t> f) { model.add(link, t, f); }, a.seconds,
                    [] { return interrupted != 0; });
  if (!r) return fail(kExitUnreachable, "capture failed: " + r.error());
  if (a.read.empty()) model.cover(wallNow());
  const sniff::Report rep = model.report();
  if (a.json) {
    std::cout << ctl::sniffJson(rep).dump(2) << "\n";
  } else if (!a.quiet) {
    std::cout << ctl::sniffText(rep);
  }
  return rep.anyConflict() ? kExitNotAsExpected : kExitOk;
}

int eventsFollow(ctl::Client& c, const Args& a) {
  while (!interrupted) {
    auto line = c.receive(200);
    if (!line) {
      if (line.error().starts_with("no answer")) continue;
      return fail(kExitUnreachable, line.error());
    }
    if (!line->contains("event")) continue;
    std::cout << (a.json ? line->at("event").dump() : ctl::eventText(line->at("event")))
              << std::endl;
  }
  return kExitOk;
}

int daemonCommand(const Args& a) {
  json req{{"cmd", a.command}};
  if (a.command == "vrrp" || a.command == "why") {
    if (a.command == "why" && a.rest.empty()) return fail(kExitUsage, "why needs an INSTANCE");
    if (!a.rest.empty()) req["instance"] = a.rest.front();
  } else if (a.command == "checks") {
    if (!a.rest.empty()) req["backend"] = a.rest.front();
  } else if (a.command == "events") {
    req["follow"] = a.follow;
    req["limit"] = a.limit;
  }
  if (a.rest.size() > 1 || (!a.rest.empty() && (a.command == "status" || a.command == "reload" ||
                                                a.command == "events"))) {
    return fail(kExitUsage, "too many arguments for " + a.command);
  }
  auto c = ctl::Client::connect(a.socket);
  if (!c) return fail(kExitUnreachable, c.error());
  // A reload rebuilds runtimes: give it longer than a query.
  auto reply = ask(*c, req, a.command == "reload" ? std::max(a.timeoutMs, 30000) : a.timeoutMs);
  if (!reply) return fail(kExitUnreachable, reply.error());
  const json& r = *reply;
  if (!r.value("ok", false)) {
    if (a.json) std::cout << r.dump(2) << "\n";
    if (a.command == "reload" && !a.json) {
      std::cerr << ctl::reloadText(r);
      return kExitNotAsExpected;
    }
    return fail(kExitNotAsExpected, r.value("error", "holdfastd refused the request"));
  }
  if (a.command == "status" && (a.quiet || !a.expect.empty())) {
    // Every instance in the state asked for; without --expect, none in FAULT or INIT.
    std::string expect = a.expect;
    std::transform(expect.begin(), expect.end(), expect.begin(), ::toupper);
    bool good = true;
    for (const auto& i : r.at("instances")) {
      const std::string s = i.value("state", "");
      if (expect.empty() ? (s != "MASTER" && s != "BACKUP") : s != expect) {
        good = false;
        if (!a.quiet) std::cerr << i.value("name", "") << " is " << s << "\n";
      }
    }
    if (!a.quiet) std::cout << (a.json ? r.dump(2) + "\n" : ctl::statusText(r));
    return good ? kExitOk : kExitNotAsExpected;
  }
  if (a.json) {
    if (a.command == "events" && a.follow) {
      for (const auto& e : r.at("events")) std::cout << e.dump() << "\n";
    } else {
      std::cout << r.dump(2) << "\n";
    }
  } else if (a.command == "status") {
    std::cout << ctl::statusText(r);
  } else if (a.command == "vrrp") {
    std::cout << ctl::vrrpText(r);
  } else if (a.command == "checks") {
    std::cout << ctl::checksText(r);
  } else if (a.command == "why") {
    std::cout << ctl::whyText(r);
  } else if (a.command == "events") {
    for (const auto& e : r.at("events")) std::cout << ctl::eventText(e) << "\n";
  } else if (a.command == "reload") {
    std::cout << ctl::reloadText(r);
  }
  std::cout.flush();
  if (a.command == "events" && a.follow) return eventsFollow(*c, a);
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  double timeout = 10;
  po::options_description desc("Options");
  desc.add_options()("socket,s", po::value(&a.socket)->value_name("PATH"),
                     "control socket (default /run/holdfast/holdfast.sock)")(
      "json", po::bool_switch(&a.json), "print JSON instead of tables")(
      "quiet,q", po::bool_switch(&a.quiet), "print nothing; the exit status says it")(
      "expect", po::value(&a.expect)->value_name("STATE"),
      "status: exit 0 only if every instance is in STATE (master, backup, fault)")(
      "follow,f", po::bool_switch(&a.follow), "events: keep printing new events")(
      "limit", po::value(&a.limit)->value_name("N"), "events: at most the N newest (default 1000)")(
      "seconds", po::value(&a.seconds)->value_name("N"),
      "sniff: capture for N seconds (default 10)")("read,r", po::value(&a.read)->value_name("FILE"),
                                                   "sniff: read a pcap file instead")(
      "all", po::bool_switch(&a.all), "handover: every instance that is master here")(
      "wait", po::value(&a.wait)->value_name("SECONDS"),
      "handover, maintenance on: how long a peer has to take over (default 10)")(
      "reason", po::value(&a.reason)->value_name("TEXT"),
      "maintenance on: why (shown in status, why and events)")(
      "timeout", po::value(&timeout)->value_name("SECONDS"),
      "how long to wait for holdfastd's answer (default 10)")(
      "version", "print the version and exit")("help,h", "print this help and exit");
  po::options_description hidden;  // the positional words, not shown in --help
  hidden.add_options()("command", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("command", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "holdfastctl: " << e.what() << "\n" << kUsage;
    return kExitUsage;
  }
  if (vm.count("help")) {
    std::cout << kUsage << "\n" << desc;
    return kExitOk;
  }
  if (vm.count("version")) {
    std::cout << "holdfastctl " HOLDFAST_VERSION "\n";
    return kExitOk;
  }
  if (!vm.count("command")) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  auto words = vm["command"].as<std::vector<std::string>>();
  a.command = words.front();
  a.rest.assign(words.begin() + 1, words.end());
  a.timeoutMs = static_cast<int>(timeout * 1000);
  if (timeout <= 0 || a.seconds <= 0 || a.limit == 0) {
    return fail(kExitUsage, "--timeout, --seconds and --limit must be positive");
  }
  static const std::set<std::string> kCommands{"status",   "vrrp",       "checks", "why",
                                               "events",   "reload",     "sniff",  "lint",
                                               "handover", "maintenance"};
  if (!kCommands.contains(a.command)) {
    std::cerr << "holdfastctl: unknown command '" << a.command << "'\n" << kUsage;
    return kExitUsage;
  }
  if (!a.expect.empty()) {
    std::string e = a.expect;
    std::transform(e.begin(), e.end(), e.begin(), ::tolower);
    if (e != "master" && e != "backup" && e != "fault") {
      return fail(kExitUsage, "--expect takes master, backup or fault");
    }
  }
  std::signal(SIGINT, [](int) { interrupted = 1; });
  std::signal(SIGTERM, [](int) { interrupted = 1; });
  if (a.command == "sniff") return sniffCommand(a);
  if (a.command == "lint") return lint::lintCommand(a.rest, a.json);
  if (a.command == "handover") {
    return ctl::handoverCommand({a.socket, a.rest, a.all, a.wait, a.json, a.timeoutMs},
                                interrupted);
  }
  if (a.command == "maintenance") {
    return ctl::maintenanceCommand({a.socket, a.rest, a.reason, a.wait, a.json, a.timeoutMs},
                                   interrupted);
  }
  try {
    return daemonCommand(a);
  } catch (const json::exception& e) {
    // A reply without a field the table needs (a daemon of another version): say
    // so instead of aborting; --json prints the reply as it came.
    return fail(kExitUnreachable, std::string("holdfastd's reply is not what this holdfastctl "
                                              "reads (") +
                                      e.what() + "); try --json");
  }
}
