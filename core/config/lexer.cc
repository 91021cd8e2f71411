#include "core/config/lexer.h"

#include <array>

namespace holdfast::config {
namespace {

bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

struct FancyQuote {
  std::string_view bytes;
  std::string_view codePoint;
};
// Quotes that word processors and web pages substitute for '"' and '\''.
constexpr std::array<FancyQuote, 6> kFancyQuotes{{
    {"\xE2\x80\x9C", "U+201C"},
    {"\xE2\x80\x9D", "U+201D"},
    {"\xE2\x80\x98", "U+2018"},
    {"\xE2\x80\x99", "U+2019"},
    {"\xC2\xAB", "U+00AB"},
    {"\xC2\xBB", "U+00BB"},
}};

const FancyQuote* fancyQuoteAt(std::string_view text, size_t pos) {
  for (const auto& q : kFancyQuotes) {
    if (text.substr(pos, q.bytes.size()) == q.bytes) return &q;
  }
  return nullptr;
}

class Lexer {
 public:
  Lexer(std::string_view text, std::shared_ptr<const std::string> file, Diagnostics& diags)
      : text_(text), file_(std::move(file)), diags_(diags) {}

  std::vector<Token> run() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\n') {
        newLine();
      } else if (isBlank(c)) {
        ++pos_;
      } else if (c == '!' || c == '#') {
        skipComment();
      } else if (c == '{' || c == '}') {
        push(c == '{' ? TokenKind::kOpenBrace : TokenKind::kCloseBrace, std::string(1, c), pos_);
        ++pos_;
      } else if (c == '"') {
        lexString();
      } else {
        lexWord();
      }
    }
    return std::move(tokens_);
  }

 private:
  SourceLocation at(size_t pos) const {
    return {file_, line_, static_cast<int>(pos - lineStart_) + 1};
  }

  void newLine() {
    ++pos_;
    ++line_;
    lineStart_ = pos_;
    atLineStart_ = true;
  }

  void push(TokenKind kind, std::string text, size_t start) {
    tokens_.push_back({kind, std::move(text), at(start), atLineStart_});
    atLineStart_ = false;
  }

  void skipComment() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }

  void lexString() {
    size_t start = pos_++;
    std::string value;
    while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\n') {
      // A backslash keeps a following quote or backslash literal; anything else is
      // taken as it is, so Windows-style paths and regexes survive unchanged.
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size() &&
          (text_[pos_ + 1] == '"' || text_[pos_ + 1] == '\\')) {
        ++pos_;
      }
      value += text_[pos_++];
    }
    if (pos_ >= text_.size() || text_[pos_] != '"') {
      // keepalived drops an unmatched quote and what follows it on the line.
      diags_.warning(at(start),
                     "unterminated string: expected '\"' before the end of the line; the "
                     "string is ignored, as keepalived does");
      return;
    }
    ++pos_;
    push(TokenKind::kString, std::move(value), start);
  }

  void lexWord() {
    size_t start = pos_;
    std::string value;
    bool reportedQuote = false;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\n' || isBlank(c) || c == '{' || c == '}') break;
      if (c == '\\' && pos_ + 1 < text_.size() &&
          (text_[pos_ + 1] == '#' || text_[pos_ + 1] == '!')) {
        value += text_[pos_ + 1];  // keepalived's escape for a literal comment character
        pos_ += 2;
        continue;
      }
      if (c == '!' || c == '#') {
        // keepalived starts a comment at '!' or '#' anywhere outside quotes.
        diags_.warning(at(pos_), std::string("'") + c +
                                     "' inside a word starts a comment: the rest of the line "
                                     "is ignored, as keepalived does (write \\" +
                                     c + " or quote the value to keep it)");
        break;
      }
      if (const FancyQuote* q = fancyQuoteAt(text_, pos_)) {
        if (!reportedQuote) {
          diags_.warning(at(pos_), "typographic quote " + std::string(q->bytes) + " (" +
                                       std::string(q->codePoint) +
                                       ") where a plain '\"' was expected (pasted from a web "
                                       "page or word processor?); kept as part of the word, "
                                       "as keepalived does");
          reportedQuote = true;
        }
        value += q->bytes;
        pos_ += q->bytes.size();
        continue;
      }
      value += c;
      ++pos_;
    }
    if (!value.empty()) push(TokenKind::kWord, std::move(value), start);
  }

  std::string_view text_;
  std::shared_ptr<const std::string> file_;
  Diagnostics& diags_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t lineStart_ = 0;
  int line_ = 1;
  bool atLineStart_ = true;
};

}  // namespace

std::vector<Token> lex(std::string_view text, std::shared_ptr<const std::string> file,
                       Diagnostics& diags) {
  return Lexer(text, std::move(file), diags).run();
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::kString:
      return '"' + t.text + '"';
    case TokenKind::kEnd:
      return "end of file";
    default:
      return t.text;
  }
}

}  // namespace holdfast::config
