#pragma once
// The config language as data: which keywords each block takes, how many arguments
// each has, and which keepalived keywords are accepted with a warning because
// holdfast does not implement them. The parser is driven by these tables, so the
// grammar lives here and nowhere else.

#include <span>
#include <string>
#include <string_view>

namespace holdfast::config {

inline constexpr int kUnbounded = 1 << 16;

struct BlockSpec;

// Why holdfast accepts a keepalived keyword without acting on it. The warning names the
// reason, so that an operator can tell a feature holdfast leaves out on purpose from one
// it has not built yet.
enum class NoEffect {
  kLvs,      // IPVS load balancing: virtual and real servers, their checkers, lvs_*
  kSnmp,     // keepalived's SNMP agent
  kDbus,     // keepalived's DBus interface
  kBfd,      // keepalived's BFD process
  kDaemon,   // keepalived's own processes and files (names, nice, CPUs, pid files)
  kDefault,  // asks for what holdfast does anyway (noreverse, reload_check_config)
  kInert,    // has no effect in keepalived either (debug)
  kFifo,     // feeds keepalived's notify FIFOs, which holdfast does not have
  kNotYet,   // a keepalived feature holdfast has not built yet
};

// A keepalived keyword holdfast knows but does not implement. After a list item
// (`192.0.2.1/24 peer 192.0.2.9`) it takes `maxArgs` values; a statement's values are
// skipped to the end of its line, and a block after it is skipped whole.
struct UnimplementedSpec {
  std::string_view name;
  NoEffect why = NoEffect::kNotYet;
  int maxArgs = 0;
};

// The warning for `keyword`: "'virtual_server' is a keepalived LVS keyword; holdfast
// does not do load balancing (IPVS): no effect".
std::string noEffectMessage(std::string_view keyword, NoEffect why);

struct KeywordSpec {
  std::string_view name;
  int minArgs = 0;
  int maxArgs = 0;
  std::string_view expects;  // what the arguments are, e.g. "a number 1-255"
  const BlockSpec* block = nullptr;
};

struct BlockSpec {
  std::string_view what;  // names the block in messages: "vrrp_instance"
  std::span<const KeywordSpec> keywords;
  // A list block holds items (addresses, names) rather than keywords; each item may
  // be followed by modifiers on the same line.
  bool isList = false;
  std::span<const KeywordSpec> itemModifiers;
  std::span<const UnimplementedSpec> unimplemented;
  // holdfast's own blocks (backend, check, backend_group) keep holdfast's strictness:
  // an unknown keyword there is an error. In keepalived's blocks it is a tolerated
  // mistake (a warning, the keyword skipped), as keepalived does.
  bool native = false;
  // A list whose every line is one item read whole: the first word is the item, the
  // rest its arguments, parsed by the builder (static_routes, virtual_rules, ...).
  bool wholeLine = false;

  const KeywordSpec* find(std::string_view name) const;
  const KeywordSpec* findModifier(std::string_view name) const;
  const UnimplementedSpec* findUnimplemented(std::string_view name) const;
  bool isUnimplemented(std::string_view name) const { return findUnimplemented(name); }
};

// The top level of a config file.
const BlockSpec& rootSpec();

}  // namespace holdfast::config
