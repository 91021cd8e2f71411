#pragma once
// Turns a token stream into a syntax tree, following the keyword tables of schema.h.
// A statement is a keyword and its arguments on one line; a block statement is
// followed by `{` (on the same line or the next) and ends at the matching `}`. Inside
// a one-line block several statements may share the line
// (`check icmp { interval 1s timeout 300ms }`): an argument list ends at the next
// keyword of the block once the keyword's minimum is met.
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
