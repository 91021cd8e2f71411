#include "core/config/parser.h"

#include <optional>
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
        diags_.warning(peek().where,
                       "unexpected '}' with no block open; ignored, as keepalived does");
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
        // keepalived ends every open block at the end of the file.
        report(spec, endLocation(),
               "expected '}' to close '" + owner.title() + "' opened at " +
                   owner.blockOpen.fileLine() +
                   "; the block ends at the end of the file, as "
                   "keepalived does");
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
          rootSpec().find(t.text) && !spec.find(t.text) && !spec.isUnimplemented(t.text)) {
        diags_.error(t.where, "expected '}' to close '" + owner.title() + "' opened at " +
                                  owner.blockOpen.fileLine() + " before '" + t.text + "'");
        return;
      }
      parseEntry(spec, out);
    }
  }

  void parseEntry(const BlockSpec& spec, std::vector<Node>& out) {
    if (peek().kind == TokenKind::kOpenBrace) {
      report(spec, peek().where,
             "unexpected '{' in " + std::string(spec.what) +
                 " (a block must follow the keyword that opens it); the block is skipped");
      skipBlock(spec);
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
      skipRestOfStatement(spec);
      return;
    }
    Node node{t};
    while (static_cast<int>(node.args.size()) < kw->maxArgs && sameLine() && peek().isValue()) {
      // In holdfast's blocks, once the minimum is met, a keyword of the block starts
      // the next statement (`check icmp { interval 1s timeout 300ms }`). keepalived
      // reads one statement per line: the rest of the line is ignored, keywords too.
      bool isKeyword = peek().kind == TokenKind::kWord && spec.find(peek().text);
      if (spec.native && isKeyword && static_cast<int>(node.args.size()) >= kw->minArgs) break;
      node.args.push_back(tokens_[pos_++]);
    }
    bool complete = static_cast<int>(node.args.size()) >= kw->minArgs;
    if (!complete) {
      report(spec, t.where,
             "expected " + std::string(kw->expects) + " after '" + t.text + "'" +
                 (spec.native ? "" : "; '" + t.text + "' is ignored, as keepalived does"));
    }
    if (sameLine() && peek().isValue() &&
        !(spec.native && peek().kind == TokenKind::kWord && spec.find(peek().text))) {
      // keepalived reads the values a keyword takes and ignores the rest of the line.
      std::string extra;
      const SourceLocation at = peek().where;
      while (sameLine() && peek().isValue()) {
        extra += (extra.empty() ? "" : " ") + describe(tokens_[pos_++]);
      }
      report(spec, at,
             "unexpected " + extra + " after '" + node.title() + "': '" + t.text + "' takes " +
                 countText(kw->maxArgs) +
                 (kw->maxArgs ? " (" + std::string(kw->expects) + ")" : "") +
                 (spec.native ? "" : "; ignored, as keepalived does"));
    }

    if (kw->block) {
      node.hasBlock = true;
      if (nextIs(TokenKind::kOpenBrace)) {
        node.blockOpen = peek().where;
        ++pos_;
      } else if (spec.native || kw->block->native) {
        diags_.error(t.where, "expected '{' after '" + node.title() + "'");
        return;
      } else {
        // keepalived reads the lines that follow as the block anyway.
        diags_.warning(t.where, "expected '{' after '" + node.title() +
                                    "'; the lines that follow are read as its block, as "
                                    "keepalived does");
        node.blockOpen = t.where;
      }
      parseBlock(*kw->block, node, node.children);
    } else if (sameLine() && peek().kind == TokenKind::kOpenBrace) {
      report(spec, peek().where,
             "'" + t.text + "' does not take a block" +
                 (spec.native ? "" : "; the block is skipped, as keepalived does"));
      skipBlock(spec);
    }
    if (complete) out.push_back(std::move(node));
  }

  void parseItem(const BlockSpec& spec, std::vector<Node>& out) {
    const Token& t = tokens_[pos_++];
    Node item{t};
    if (spec.wholeLine) {
      while (sameLine() && peek().isValue()) item.args.push_back(tokens_[pos_++]);
      out.push_back(std::move(item));
      return;
    }
    while (sameLine() && peek().isValue()) {
      const KeywordSpec* mod =
          peek().kind == TokenKind::kWord ? spec.findModifier(peek().text) : nullptr;
      if (!mod) {
        if (const UnimplementedSpec* u =
                peek().kind == TokenKind::kWord ? spec.findUnimplemented(peek().text) : nullptr) {
          const Token& m = tokens_[pos_++];
          diags_.noEffect(m.where, noEffectMessage(m.text, u->why));
          for (int i = 0; i < u->maxArgs && sameLine() && peek().isValue(); ++i) ++pos_;
          continue;
        }
        // A list of names takes several on a line; a list whose items take options
        // (addresses, tracked items, peers) takes one item per line, and keepalived
        // ignores any other word there.
        if (spec.itemModifiers.empty() || spec.native) break;
        const Token& w = tokens_[pos_++];
        diags_.warning(w.where, "unknown option '" + w.text + "' for '" + t.text + "' in " +
                                    std::string(spec.what) +
                                    " (one item per line); ignored, as keepalived does");
        continue;
      }
      Node modifier{tokens_[pos_++]};
      while (static_cast<int>(modifier.args.size()) < mod->maxArgs && sameLine() &&
             peek().isValue()) {
        modifier.args.push_back(tokens_[pos_++]);
      }
      if (static_cast<int>(modifier.args.size()) < mod->minArgs) {
        diags_.warning(modifier.where(), "expected " + std::string(mod->expects) + " after '" +
                                             modifier.keyword.text + "'; '" +
                                             modifier.keyword.text +
                                             "' is ignored, as keepalived does");
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
      report(spec, t.where,
             "expected a keyword in " + std::string(spec.what) + ", found " + describe(t) +
                 (spec.native ? "" : "; skipped, as keepalived does"));
      return;
    }
    std::string msg = "unknown keyword '" + t.text + "' in " + std::string(spec.what);
    if (const BlockSpec* home = homeOf(t.text, spec)) {
      msg += " ('" + t.text + "' belongs in " + std::string(home->what) + ")";
    } else if (auto s = suggestion(t.text, spec)) {
      msg += spec.native ? "; did you mean " + *s + "?" : " (did you mean " + *s + "?)";
    }
    if (!spec.native) msg += "; skipped with its values and block, as keepalived does";
    report(spec, t.where, msg);
  }

  // The closest keyword of this block, or else of any keepalived block (a misspelling
  // copied from old docs often names a keyword of another block): "'x'" or
  // "'x' (a vrrp_instance keyword)".
  static std::optional<std::string> suggestion(std::string_view word, const BlockSpec& spec) {
    if (auto s = closest(word, namesOf(spec))) return "'" + *s + "'";
    if (spec.native) return std::nullopt;
    std::optional<std::string> found;
    firstKeepalivedBlock(spec, [&](const BlockSpec& b) {
      if (auto s = closest(word, namesOf(b))) {
        found = "'" + *s + "' (a " + std::string(b.what) + " keyword)";
      }
      return found.has_value();
    });
    return found;
  }

  static std::vector<std::string_view> namesOf(const BlockSpec& b) {
    std::vector<std::string_view> names;
    for (const auto& k : b.keywords) names.push_back(k.name);
    for (const auto& k : b.unimplemented) names.push_back(k.name);
    return names;
  }

  // Walks keepalived's blocks (not lists, not holdfast's own) other than `except`, from
  // the top level down, until `take` returns true; returns the block it took.
  template <typename F>
  static const BlockSpec* firstKeepalivedBlock(const BlockSpec& except, F take) {
    const BlockSpec* found = nullptr;
    auto visit = [&](auto& self, const BlockSpec& b, int depth) -> void {
      if (found || depth > 4) return;
      if (&b != &except && !b.isList && !b.native && take(b)) {
        found = &b;
        return;
      }
      for (const auto& k : b.keywords) {
        if (k.block) self(self, *k.block, depth + 1);
      }
    };
    visit(visit, rootSpec(), 0);
    return found;
  }

  // An error in holdfast's own blocks; in keepalived's, a tolerated mistake.
  void report(const BlockSpec& spec, const SourceLocation& where, std::string message) {
    if (spec.native) {
      diags_.error(where, std::move(message));
    } else {
      diags_.warning(where, std::move(message));
    }
  }

  // The keepalived block, other than `except`, whose keywords include `name`: a keyword
  // written in the wrong block (garp_master_delay in global_defs) is named as such.
  static const BlockSpec* homeOf(std::string_view name, const BlockSpec& except) {
    return firstKeepalivedBlock(
        except, [&](const BlockSpec& b) { return b.find(name) || b.isUnimplemented(name); });
  }

  // After an unknown keyword: its arguments, and a block if one follows.
  void skipRestOfStatement(const BlockSpec& spec) {
    while (sameLine() && peek().isValue()) ++pos_;
    if (nextIs(TokenKind::kOpenBrace)) skipBlock(spec);
  }

  // Skips from '{' to its matching '}'.
  void skipBlock(const BlockSpec& spec) {
    const Token& open = tokens_[pos_++];
    int depth = 1;
    while (!atEnd() && depth > 0) {
      if (peek().kind == TokenKind::kOpenBrace) ++depth;
      if (peek().kind == TokenKind::kCloseBrace) --depth;
      ++pos_;
    }
    if (depth > 0) {
      report(spec, endLocation(),
             "expected '}' to close the block opened at " + open.where.fileLine() +
                 "; the block ends at the end of the file");
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
