#pragma once
// Helpers for config tests: load a text as "test.conf" and get its diagnostics as
// the exact lines holdfastd would print.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/config/loader.h"

namespace holdfast::test {

inline std::vector<std::string> diagnosticLines(const config::LoadResult& r,
                                                config::Severity severity) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.all()) {
    if (d.severity == severity) out.push_back(config::format(d));
  }
  return out;
}

inline std::vector<std::string> errorsOf(const std::string& text) {
  return diagnosticLines(config::loadText(text, "test.conf"), config::Severity::kError);
}

inline std::vector<std::string> warningsOf(const std::string& text) {
  return diagnosticLines(config::loadText(text, "test.conf"), config::Severity::kWarning);
}

// Warnings about a config that runs right but likely not as meant (Severity::kAdvice).
inline std::vector<std::string> adviceOf(const std::string& text) {
  return diagnosticLines(config::loadText(text, "test.conf"), config::Severity::kAdvice);
}

// Warnings about keywords holdfast knows but does not act on.
inline std::vector<std::string> noEffectOf(const std::string& text) {
  return diagnosticLines(config::loadText(text, "test.conf"), config::Severity::kNoEffect);
}

// A minimal valid instance body to build bad cases around.
inline std::string instance(const std::string& extra, const std::string& name = "VI_1",
                            const std::string& vrid = "51") {
  return "vrrp_instance " + name + " {\n  interface eth0\n  virtual_router_id " + vrid +
         "\n  virtual_ipaddress { 192.0.2.1 }\n" + extra + "}\n";
}

// A config that must load; a refusal fails the test with every diagnostic.
inline config::Config loadOrFail(const std::string& text) {
  auto r = config::loadText(text, "test.conf");
  if (!r.config) {
    for (const auto& d : r.diagnostics.all()) UNSCOPED_INFO(config::format(d));
    FAIL("config refused");
  }
  return *r.config;
}

}  // namespace holdfast::test
