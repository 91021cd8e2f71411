#pragma once
// The parsed shape of a config before typing: statements with their arguments and,
// for block statements, their children. List items (an address in
// virtual_ipaddress, a name in track_script) are nodes whose keyword is the item and
// whose children are its modifiers (`dev eth0`, `weight -20`).

#include <string>
#include <vector>

#include "core/config/lexer.h"

namespace holdfast::config {

struct Node {
  Node() = default;
  explicit Node(Token k) : keyword(std::move(k)) {}

  Token keyword;
  std::vector<Token> args;
  std::vector<Node> children;
  bool hasBlock = false;
  SourceLocation blockOpen;  // where '{' stood, when hasBlock

  const SourceLocation& where() const { return keyword.where; }
  // "vrrp_instance VI_1": the keyword and its arguments, for messages.
  std::string title() const;
};

}  // namespace holdfast::config
