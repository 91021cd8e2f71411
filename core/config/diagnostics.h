#pragma once
// Collects every error and warning found while loading a config, in the order found,
// so that one run of `holdfastd -t` reports all of them (gcc style, one per line).

#include <map>
#include <string>
#include <vector>

#include "core/config/source_location.h"

namespace holdfast::config {

// Three kinds, because `holdfastd -t` exits on them differently (holdfast.conf(5),
// KEEPALIVED COMPATIBILITY):
//   kNoEffect  a keyword holdfast knows but does not act on (LVS, SNMP, BFD, ...): the
//              config means what it says everywhere else; -t exits 0.
//   kWarning   a tolerated mistake: holdfastd does what keepalived does with it (a
//              fallback, a skipped keyword) and says so; -t exits 4, and a reload that
//              brings a new one is refused.
//   kError     the config is refused (-t exits 1; at start nothing runs; a reload keeps
//              the running config).
//   kNote      about this machine rather than the config (an interface missing under
//              -t, which often runs elsewhere); -t's exit status ignores it.
//   kAdvice    the config is right and runs as keepalived runs it, but it probably
//              does not do what its author expects (vrrp_strict's implied no_accept):
//              printed and logged as a warning; -t exits 0 (1 with --strict), and a
//              reload is not refused for it.
enum class Severity { kNote, kNoEffect, kAdvice, kWarning, kError };

struct Diagnostic {
  SourceLocation where;
  Severity severity = Severity::kError;
  std::string message;
};

// "FILE:LINE:COL: error: MESSAGE"
std::string format(const Diagnostic& d);

class Diagnostics {
 public:
  // Past this many errors the rest are dropped (a binary file fed as config would
  // otherwise produce one error per byte); a final line says so.
  static constexpr int kMaxErrors = 100;
  // The same bound for tolerated mistakes (keepalived tolerates a file of junk: every
  // line an unknown keyword). They are all still counted.
  static constexpr int kMaxWarnings = 100;

  void error(const SourceLocation& where, std::string message);
  void warning(const SourceLocation& where, std::string message);
  void noEffect(const SourceLocation& where, std::string message);
  void note(const SourceLocation& where, std::string message);
  void advice(const SourceLocation& where, std::string message);

  bool hasErrors() const { return errorCount_ > 0; }
  int errorCount() const { return errorCount_; }
  // Tolerated mistakes (kWarning); keywords without effect are counted apart.
  int warningCount() const { return warningCount_; }
  int noEffectCount() const { return noEffectCount_; }
  int adviceCount() const { return adviceCount_; }
  const std::vector<Diagnostic>& all() const { return all_; }
  // Orders diagnostics by file (in the order `files` lists them), line and column,
  // keeping the order found among equals.
  void sortBySource(const std::vector<std::string>& files);
  // All diagnostics formatted, one per line.
  std::string str() const;
  // The tolerated mistakes by message, without where they are (a reload of the same
  // mistakes moved to other lines is the same config), and how often each occurs.
  std::map<std::string, int> mistakes() const;

 private:
  std::vector<Diagnostic> all_;
  int errorCount_ = 0;
  int warningCount_ = 0;
  int noEffectCount_ = 0;
  int adviceCount_ = 0;
};

}  // namespace holdfast::config
