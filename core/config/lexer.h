#pragma once
// Splits one config file's text into tokens, keepalived style: words separated by
// blanks, `{` and `}` always tokens of their own, `!` or `#` anywhere outside quotes
// comment out the rest of the line (`\#` and `\!` keep one literally), double-quoted
// strings keep their blanks. What keepalived tolerates (an unterminated string, a
// typographic quote, a comment character inside a word) is a warning, handled as
// keepalived does.
// Statements are line based, so each token records whether it starts a line.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/diagnostics.h"
#include "core/config/source_location.h"

namespace holdfast::config {

enum class TokenKind { kWord, kString, kOpenBrace, kCloseBrace, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // a string token holds its text without the quotes
  SourceLocation where;
  bool firstOnLine = false;

  bool isWord(std::string_view w) const { return kind == TokenKind::kWord && text == w; }
  bool isValue() const { return kind == TokenKind::kWord || kind == TokenKind::kString; }
};

// Lexes `text` (the contents of `file`). Problems (unterminated string, typographic
// quotes pasted from a web page) are reported to `diags`; lexing goes on after them.
// The result never contains kEnd tokens.
std::vector<Token> lex(std::string_view text, std::shared_ptr<const std::string> file,
                       Diagnostics& diags);

// How a token is shown in messages: words as they are, strings with their quotes.
std::string describe(const Token& t);

}  // namespace holdfast::config
