#pragma once
// The config language as data: which keywords each block takes, how many arguments
// each has, and which keepalived keywords are accepted with a warning because
// holdfast does not implement them. The parser is driven by these tables, so the
// grammar lives here and nowhere else.

#include <span>
#include <string_view>

namespace holdfast::config {

inline constexpr int kUnbounded = 1 << 16;

struct BlockSpec;

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
  std::span<const std::string_view> unimplemented;
  // holdfast's own blocks (backend, check, backend_group) keep holdfast's strictness:
  // an unknown keyword there is an error. In keepalived's blocks it is a tolerated
  // mistake (a warning, the keyword skipped), as keepalived does.
  bool native = false;

  const KeywordSpec* find(std::string_view name) const;
  const KeywordSpec* findModifier(std::string_view name) const;
  bool isUnimplemented(std::string_view name) const;
};

// The top level of a config file.
const BlockSpec& rootSpec();

}  // namespace holdfast::config
