#include "tools/lint/lint_command.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include <unistd.h>

#include "core/config/loader.h"

namespace holdfast::lint {

namespace {

size_t count(const std::vector<Finding>& f, Severity s) {
  return std::count_if(f.begin(), f.end(), [&](const Finding& x) { return x.severity == s; });
}

}  // namespace

std::string lintText(const std::vector<Finding>& findings) {
  std::ostringstream o;
  std::vector<std::string> order;  // groups as they come, "" (scripts) last
  std::map<std::string, std::vector<const Finding*>> by;
  for (const auto& f : findings) {
    if (!by.contains(f.group)) order.push_back(f.group);
    by[f.group].push_back(&f);
  }
  std::stable_partition(order.begin(), order.end(), [](const auto& g) { return !g.empty(); });
  for (const auto& g : order) {
    o << (g.empty() ? "scripts" : g) << "\n";
    auto list = by[g];
    std::stable_sort(list.begin(), list.end(), [](const Finding* a, const Finding* b) {
      return static_cast<int>(a->severity) > static_cast<int>(b->severity);
    });
    for (const Finding* f : list) {
      std::string sev = toString(f->severity);
      std::string kind = f->kind;
      sev.resize(std::max<size_t>(sev.size(), 8), ' ');
      kind.resize(std::max<size_t>(kind.size(), 10), ' ');
      o << "  " << sev << kind << " " << f->text << "\n";
    }
  }
  const size_t p = count(findings, Severity::kProblem), a = count(findings, Severity::kAdvice);
  o << p << (p == 1 ? " problem, " : " problems, ") << a << " advice\n";
  return o.str();
}

std::string lintJson(const std::vector<Finding>& findings) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : findings) {
    list.push_back({{"severity", toString(f.severity)},
                    {"group", f.group},
                    {"kind", f.kind},
                    {"text", f.text}});
  }
  nlohmann::json j{{"findings", list},
                   {"problems", count(findings, Severity::kProblem)},
                   {"advice", count(findings, Severity::kAdvice)}};
  return j.dump(2) + "\n";
}

int lintCommand(const std::vector<std::string>& files, bool json) {
  if (files.empty()) {
    std::cerr << "holdfastctl: lint needs the config files of the cluster's nodes\n";
    return 2;
  }
  std::vector<Node> nodes;
  std::vector<Finding> findings;
  for (const auto& f : files) {
    config::LoadOptions opts;
    opts.configTest = true;  // the scripts and users of another machine are notes
    // FILE@ID: one file shared by the nodes, read as node ID reads it (its @ID lines,
    // keepalived's config id); without @ID, as this host reads it.
    std::string path = f;
    if (const auto at = f.rfind('@');
        at != std::string::npos && at > 0 && ::access(f.c_str(), F_OK) != 0) {
      path = f.substr(0, at);
      opts.configId = f.substr(at + 1);
    }
    auto r = config::loadFile(path, opts);
    if (!r.config) {
      std::string why;
      for (const auto& d : r.diagnostics.all()) {
        if (d.severity == config::Severity::kError) {
          why = d.where.str() + ": " + d.message;
          break;
        }
      }
      findings.push_back({Severity::kProblem, "", "config",
                          f + " does not load (holdfastd -t -f " + f + " says why): " + why});
      continue;
    }
    nodes.push_back({f, std::move(*r.config)});
  }
  auto more = lintCluster(nodes);
  findings.insert(findings.end(), more.begin(), more.end());
  std::cout << (json ? lintJson(findings) : lintText(findings));
  return anyProblem(findings) ? 1 : 0;
}

}  // namespace holdfast::lint
