#include "core/config/parser.h"

#include <vector>

#include "core/config/suggest.h"

namespace holdfast::config {

std::string Node::title() const {
  std::string out = keyword.text;
  for (const Token& a : args) out += ' ' + describe(a);
  return out;
}

namespace {

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, Diagnostics& diags) : tokens_(tokens), diags_(diags) {}

  std::vector<Node> parseRoot() {
    std::vector<Node> out;
    while (!atEnd()) {
      if (peek().kind == TokenKind::kCloseBrace) {
        diags_.error(peek().where, "unexpected '}' with no block open");
        ++pos_;
        continue;
      }
      parseEntry(rootSpec(), out);
    }
    return out;
  }

 private:
  bool atEnd() const { return pos_ >= tokens_.size(); }
  const Token& peek() const { return tokens_[pos_]; }
  // True when a next token exists and continues the current line.
  bool sameLine() const { return !atEnd() && !peek().firstOnLine; }
  bool nextIs(TokenKind k) const { return !atEnd() && peek().kind == k; }

  SourceLocation endLocation() const {
    if (tokens_.empty()) return {};
    SourceLocation loc = tokens_.back().where;
    loc.column = 0;
    return loc;
  }

  // Parses the entries of a block whose '{' was just consumed.
  void parseBlock(const BlockSpec& spec, const Node& owner, std::vector<Node>& out) {
    while (true) {
      if (atEnd()) {
        diags_.error(endLocation(), "expected '}' to close '" + owner.title() + "' opened at " +
                                        owner.blockOpen.fileLine());
        return;
      }
      if (peek().kind == TokenKind::kCloseBrace) {
        ++pos_;
        return;
      }
      // A line that starts with a top-level keyword this block does not know means
      // the block was never closed: say so there and let the top level take it.
      const Token& t = peek();
      if (&spec != &rootSpec() && t.firstOnLine && t.kind == TokenKind::kWord &&
          rootSpec().find(t.text) && !spec.find(t.text)) {
        diags_.error(t.where, "expected '}' to close '" + owner.title() + "' opened at " +
                                  owner.blockOpen.fileLine() + " before '" + t.text + "'");
        return;
      }
      parseEntry(spec, out);
    }
  }

  void parseEntry(const BlockSpec& spec, std::vector<Node>& out) {
    if (peek().kind == TokenKind::kOpenBrace) {
      diags_.error(peek().where, "unexpected '{' in " + std::string(spec.what) +
                                     " (a block must follow the keyword that opens it)");
      skipBlock();
      return;
    }
    if (spec.isList) {
      parseItem(spec, out);
    } else {
      parseStatement(spec, out);
    }
  }

  void parseStatement(const BlockSpec& spec, std::vector<Node>& out) {
    const Token& t = tokens_[pos_++];
    const KeywordSpec* kw = t.kind == TokenKind::kWord ? spec.find(t.text) : nullptr;
    if (!kw) {
      reportUnknown(spec, t);
      skipRestOfStatement();
      return;
    }
    Node node{t};
    while (static_cast<int>(node.args.size()) < kw->maxArgs && sameLine() && peek().isValue()) {
      // Once the minimum is met, a keyword of this block starts the next statement.
      bool isKeyword = peek().kind == TokenKind::kWord && spec.find(peek().text);
      if (isKeyword && static_cast<int>(node.args.size()) >= kw->minArgs) break;
      node.args.push_back(tokens_[pos_++]);
    }
    bool complete = static_cast<int>(node.args.size()) >= kw->minArgs;
    if (!complete) {
      diags_.error(t.where, "expected " + std::string(kw->expects) + " after '" + t.text + "'");
    }
    if (sameLine() && peek().isValue() &&
        !(peek().kind == TokenKind::kWord && spec.find(peek().text))) {
      diags_.error(peek().where, "unexpected " + describe(peek()) + " after '" + node.title() +
                                     "': '" + t.text + "' takes " + countText(kw->maxArgs) +
                                     (kw->maxArgs ? " (" + std::string(kw->expects) + ")" : ""));
      while (sameLine() && peek().isValue()) ++pos_;
    }

    if (kw->block) {
      if (!nextIs(TokenKind::kOpenBrace)) {
        diags_.error(t.where, "expected '{' after '" + node.title() + "'");
        return;
      }
      node.hasBlock = true;
      node.blockOpen = peek().where;
      ++pos_;
      parseBlock(*kw->block, node, node.children);
    } else if (sameLine() && peek().kind == TokenKind::kOpenBrace) {
      diags_.error(peek().where, "'" + t.text + "' does not take a block");
      skipBlock();
    }
    if (complete) out.push_back(std::move(node));
  }

  void parseItem(const BlockSpec& spec, std::vector<Node>& out) {
    const Token& t = tokens_[pos_++];
    Node item{t};
    while (sameLine() && peek().kind == TokenKind::kWord) {
      const KeywordSpec* mod = spec.findModifier(peek().text);
      if (!mod) {
        if (const UnimplementedSpec* u = spec.findUnimplemented(peek().text)) {
          const Token& m = tokens_[pos_++];
          diags_.noEffect(m.where, noEffectMessage(m.text, u->why));
          for (int i = 0; i < u->maxArgs && sameLine() && peek().isValue(); ++i) ++pos_;
          continue;
        }
        break;
      }
      Node modifier{tokens_[pos_++]};
      while (static_cast<int>(modifier.args.size()) < mod->maxArgs && sameLine() &&
             peek().isValue()) {
        modifier.args.push_back(tokens_[pos_++]);
      }
      if (static_cast<int>(modifier.args.size()) < mod->minArgs) {
        diags_.error(modifier.where(), "expected " + std::string(mod->expects) + " after '" +
                                           modifier.keyword.text + "'");
        continue;
      }
      item.children.push_back(std::move(modifier));
    }
    out.push_back(std::move(item));
  }

  void reportUnknown(const BlockSpec& spec, const Token& t) {
    if (const UnimplementedSpec* u =
            t.kind == TokenKind::kWord ? spec.findUnimplemented(t.text) : nullptr) {
      diags_.noEffect(t.where, noEffectMessage(t.text, u->why));
      return;
    }
    if (t.kind != TokenKind::kWord) {
      diags_.error(t.where,
                   "expected a keyword in " + std::string(spec.what) + ", found " + describe(t));
      return;
    }
    std::vector<std::string_view> names;
    for (const auto& k : spec.keywords) names.push_back(k.name);
    std::string msg = "unknown keyword '" + t.text + "' in " + std::string(spec.what);
    if (auto s = closest(t.text, names)) msg += "; did you mean '" + *s + "'?";
    diags_.error(t.where, msg);
  }

  // After an unknown keyword: its arguments, and a block if one follows.
  void skipRestOfStatement() {
    while (sameLine() && peek().isValue()) ++pos_;
    if (nextIs(TokenKind::kOpenBrace)) skipBlock();
  }

  // Skips from '{' to its matching '}'.
  void skipBlock() {
    const Token& open = tokens_[pos_++];
    int depth = 1;
    while (!atEnd() && depth > 0) {
      if (peek().kind == TokenKind::kOpenBrace) ++depth;
      if (peek().kind == TokenKind::kCloseBrace) --depth;
      ++pos_;
    }
    if (depth > 0) {
      diags_.error(endLocation(),
                   "expected '}' to close the block opened at " + open.where.fileLine());
    }
  }

  static std::string countText(int n) {
    if (n == 0) return "no value";
    if (n == 1) return "one value";
    return std::to_string(n) + " values";
  }

  const std::vector<Token>& tokens_;
  Diagnostics& diags_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<Node> parse(const std::vector<Token>& tokens, Diagnostics& diags) {
  return Parser(tokens, diags).parseRoot();
}

}  // namespace holdfast::config
