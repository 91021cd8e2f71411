#include "core/config/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace holdfast::config {

std::string format(const Diagnostic& d) {
  const char* kind = d.severity == Severity::kError  ? ": error: "
                     : d.severity == Severity::kNote ? ": note: "
                                                     : ": warning: ";
  return d.where.str() + kind + d.message;
}

void Diagnostics::error(const SourceLocation& where, std::string message) {
  ++errorCount_;
  if (errorCount_ > kMaxErrors) return;
  if (errorCount_ == kMaxErrors) message += " (too many errors; stopping here)";
  all_.push_back({where, Severity::kError, std::move(message)});
}

void Diagnostics::warning(const SourceLocation& where, std::string message) {
  ++warningCount_;
  if (warningCount_ > kMaxWarnings) return;
  if (warningCount_ == kMaxWarnings) message += " (too many warnings; the rest are not shown)";
  all_.push_back({where, Severity::kWarning, std::move(message)});
}

void Diagnostics::noEffect(const SourceLocation& where, std::string message) {
  ++noEffectCount_;
  all_.push_back({where, Severity::kNoEffect, std::move(message)});
}

void Diagnostics::advice(const SourceLocation& where, std::string message) {
  ++adviceCount_;
  all_.push_back({where, Severity::kAdvice, std::move(message)});
}

void Diagnostics::note(const SourceLocation& where, std::string message) {
  all_.push_back({where, Severity::kNote, std::move(message)});
}

void Diagnostics::sortBySource(const std::vector<std::string>& files) {
  auto fileIndex = [&](const SourceLocation& l) {
    auto it = std::find(files.begin(), files.end(), l.fileName());
    return it - files.begin();
  };
  std::stable_sort(all_.begin(), all_.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    return std::tuple(fileIndex(a.where), a.where.line, a.where.column) <
           std::tuple(fileIndex(b.where), b.where.line, b.where.column);
  });
}

std::map<std::string, int> Diagnostics::mistakes() const {
  std::map<std::string, int> out;
  for (const auto& d : all_) {
    if (d.severity == Severity::kWarning) ++out[d.message];
  }
  return out;
}

std::string Diagnostics::str() const {
  std::string out;
  for (const auto& d : all_) out += format(d) + '\n';
  return out;
}

}  // namespace holdfast::config
