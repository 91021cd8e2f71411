#pragma once
// Turns a token stream into a syntax tree, following the keyword tables of schema.h.
// A statement is a keyword and its arguments on one line; a block statement is
// followed by `{` (on the same line or the next) and ends at the matching `}`. In
// holdfast's own blocks several statements may share the line
// (`check icmp { interval 1s timeout 300ms }`): an argument list ends at the next
// keyword of the block once the keyword's minimum is met. keepalived's blocks read
// one statement per line, as keepalived does: what follows a statement's values on
// its line is ignored with a warning (`priority 100 nopreempt` drops nopreempt).
//
// Every problem is reported with its location and parsing resumes at the next
// statement, so one pass finds all syntax errors.

#include <vector>

#include "core/config/diagnostics.h"
#include "core/config/lexer.h"
#include "core/config/schema.h"
#include "core/config/syntax_tree.h"

namespace holdfast::config {

std::vector<Node> parse(const std::vector<Token>& tokens, Diagnostics& diags);

}  // namespace holdfast::config
