#pragma once
// Collects every error and warning found while loading a config, in the order found,
// so that one run of `holdfastd -t` reports all of them (gcc style, one per line).

#include <string>
#include <vector>

#include "core/config/source_location.h"

namespace holdfast::config {

enum class Severity { kWarning, kError };

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

  void error(const SourceLocation& where, std::string message);
  void warning(const SourceLocation& where, std::string message);

  bool hasErrors() const { return errorCount_ > 0; }
  int errorCount() const { return errorCount_; }
  int warningCount() const { return warningCount_; }
  const std::vector<Diagnostic>& all() const { return all_; }
  // Orders diagnostics by file (in the order `files` lists them), line and column,
  // keeping the order found among equals.
  void sortBySource(const std::vector<std::string>& files);
  // All diagnostics formatted, one per line.
  std::string str() const;

 private:
  std::vector<Diagnostic> all_;
  int errorCount_ = 0;
  int warningCount_ = 0;
};

}  // namespace holdfast::config
