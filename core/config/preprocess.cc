#include "core/config/preprocess.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>

namespace holdfast::config {
namespace {

// A line longer than this after expansion, or needing more expansions, is a
// definition that refers to itself (keepalived stops at its line buffer's size).
constexpr size_t kMaxLineLength = 64 * 1024;
constexpr int kMaxExpansionsPerLine = 10000;
// Expansions within expansions (multi-line definitions using others, ~SEQ in ~SEQ).
constexpr int kMaxDepth = 64;

bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}
bool isNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Where the lexer will see a comment start ('!' or '#' anywhere outside a string,
// unless escaped with '\\', as in keepalived), and which characters are inside a
// double-quoted string. The rules are the lexer's, so that what is expanded is
// exactly what the lexer reads as code.
struct LineScan {
  size_t codeEnd = 0;          // start of the comment, or the length
  std::vector<bool> quoted;    // per character
  std::vector<size_t> braces;  // '{' and '}' outside strings, before codeEnd
};

LineScan scan(std::string_view s) {
  LineScan r;
  r.quoted.assign(s.size(), false);
  size_t i = 0;
  bool wordStart = true;
  while (i < s.size()) {
    char c = s[i];
    if (isBlank(c)) {
      wordStart = true;
      ++i;
    } else if (c == '{' || c == '}') {
      r.braces.push_back(i);
      wordStart = true;
      ++i;
    } else if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '!' || s[i + 1] == '#')) {
      wordStart = false;
      i += 2;
    } else if (c == '!' || c == '#') {
      r.codeEnd = i;
      return r;
    } else if (wordStart && c == '"') {
      r.quoted[i++] = true;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) {
          r.quoted[i++] = true;
        }
        r.quoted[i++] = true;
      }
      if (i < s.size()) r.quoted[i++] = true;
      wordStart = false;
    } else {
      wordStart = false;
      ++i;
    }
  }
  r.codeEnd = s.size();
  return r;
}

size_t trimmedEnd(std::string_view s, size_t end) {
  while (end > 0 && isBlank(s[end - 1])) --end;
  return end;
}

// A use of a definition at s[pos] == '$'.
struct Reference {
  std::string name;
  size_t length = 0;  // of the whole "$NAME" or "${NAME ...}"
  bool braces = false;
  std::vector<long> params;  // ${_RANDOM MIN MAX}
  bool paramsGiven = false;
};

std::optional<Reference> parseReference(std::string_view s, size_t pos, size_t end) {
  Reference r;
  size_t i = pos + 1;
  if (i < end && s[i] == '{') {
    r.braces = true;
    ++i;
  }
  if (i >= end || !isNameStart(s[i])) return std::nullopt;
  size_t nameStart = i;
  while (i < end && isNameChar(s[i])) ++i;
  r.name = std::string(s.substr(nameStart, i - nameStart));
  if (!r.braces) {
    // keepalived replaces $NAME only before a blank, ',' , ')' or the end of the line.
    if (i < end && !isBlank(s[i]) && s[i] != ',' && s[i] != ')') return std::nullopt;
    r.length = i - pos;
    return r;
  }
  // ${NAME} or ${NAME 1 2}: blank-separated decimal parameters, no trailing blank.
  while (i < end && s[i] == ' ') {
    size_t digits = i + 1;
    while (digits < end && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
    if (digits == i + 1) return std::nullopt;
    r.params.push_back(
        std::strtol(std::string(s.substr(i + 1, digits - i - 1)).c_str(), nullptr, 10));
    r.paramsGiven = true;
    i = digits;
  }
  if (i >= end || s[i] != '}') return std::nullopt;
  r.length = i + 1 - pos;
  return r;
}

// strtol with base 0 (so 0x90 and 010 read as keepalived reads them), blanks around.
std::optional<long> parseNumber(std::string_view s, size_t& i) {
  while (i < s.size() && isBlank(s[i])) ++i;
  std::string rest(s.substr(i));
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(rest.c_str(), &end, 0);
  if (end == rest.c_str() || errno != 0) return std::nullopt;
  i += static_cast<size_t>(end - rest.c_str());
  while (i < s.size() && isBlank(s[i])) ++i;
  return v;
}

std::string toText(long v, bool hex) {
  if (!hex) return std::to_string(v);
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  unsigned long u = static_cast<unsigned long>(v);
  do {
    out.insert(out.begin(), kDigits[u % 16]);
    u /= 16;
  } while (u != 0);
  return out;
}

// A word of a ~SEQ/~LST parameter list: up to a blank, ',', '{', '}' or ')'.
std::string listWord(std::string_view s, size_t& i) {
  while (i < s.size() && isBlank(s[i])) ++i;
  size_t start = i;
  while (i < s.size() && !isBlank(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ')' &&
         s[i] != '{') {
    ++i;
  }
  std::string w(s.substr(start, i - start));
  while (i < s.size() && isBlank(s[i])) ++i;
  return w;
}

// "{A, B}" or "A": one or more words.
std::optional<std::vector<std::string>> listGroup(std::string_view s, size_t& i) {
  while (i < s.size() && isBlank(s[i])) ++i;
  if (i < s.size() && s[i] == '{') {
    ++i;
    std::vector<std::string> words;
    while (true) {
      words.push_back(listWord(s, i));
      if (i < s.size() && s[i] == '}') break;
      if (i >= s.size() || s[i] != ',') return std::nullopt;
      ++i;
    }
    ++i;
    while (i < s.size() && isBlank(s[i])) ++i;
    return words;
  }
  return std::vector<std::string>{listWord(s, i)};
}

}  // namespace

int ExpandedLine::columnAt(int col) const {
  if (columns.empty()) return col;
  if (col >= 1 && static_cast<size_t>(col) <= columns.size()) return columns[col - 1];
  return columns.back() + 1;
}

Definitions::Definitions(std::string configId, uint32_t randomSeed)
    : configId_(std::move(configId)), rng_(randomSeed) {}

void Definitions::set(const std::string& name, Value value) {
  values_[name] = std::move(value);
}

const Definitions::Value* Definitions::find(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

long Definitions::random(long min, long max) {
  if (max < min) return min;
  return std::uniform_int_distribution<long>(min, max)(rng_);
}

struct LineExpander::Work {
  std::string s;
  std::vector<int> col;  // file column of each character
  int line = 0;

  void erase(size_t from, size_t to) {
    s.erase(from, to - from);
    col.erase(col.begin() + static_cast<long>(from), col.begin() + static_cast<long>(to));
  }
  void replace(size_t from, size_t len, const std::string& text) {
    int c = from < col.size() ? col[from] : (col.empty() ? 1 : col.back() + 1);
    s.replace(from, len, text);
    col.erase(col.begin() + static_cast<long>(from), col.begin() + static_cast<long>(from + len));
    col.insert(col.begin() + static_cast<long>(from), text.size(), c);
  }
  void trimLeft() {
    size_t i = 0;
    while (i < s.size() && isBlank(s[i])) ++i;
    erase(0, i);
  }
  Work slice(size_t from, size_t to) const {
    return {s.substr(from, to - from),
            std::vector<int>(col.begin() + static_cast<long>(from),
                             col.begin() + static_cast<long>(to)),
            line};
  }
};

LineExpander::LineExpander(std::string_view text, std::shared_ptr<const std::string> file,
                           std::string dir, Definitions& defs, Diagnostics& diags)
    : text_(text), file_(std::move(file)), dir_(std::move(dir)), defs_(defs), diags_(diags) {}

bool LineExpander::next(ExpandedLine& out) {
  while (ready_.empty() && pos_ < text_.size()) {
    size_t eol = text_.find('\n', pos_);
    if (eol == std::string_view::npos) eol = text_.size();
    std::string_view raw = text_.substr(pos_, eol - pos_);
    pos_ = eol + 1;
    readPhysicalLine(raw, ++lineNo_);
  }
  if (ready_.empty()) {
    // A multi-line definition still open at the end of the file ends there.
    if (pending_.open) finishDefinition();
    return false;
  }
  out = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

SourceLocation LineExpander::at(const Work& w, size_t pos) const {
  int column = pos < w.col.size() ? w.col[pos] : (w.col.empty() ? 1 : w.col.back() + 1);
  return {file_, w.line, column};
}

void LineExpander::readPhysicalLine(std::string_view raw, int lineNo) {
  while (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  if (pending_.open && continueDefinition(raw, lineNo)) return;
  Work w;
  w.s = std::string(raw);
  w.line = lineNo;
  for (size_t i = 0; i < raw.size(); ++i) w.col.push_back(static_cast<int>(i) + 1);
  process(std::move(w), 0);
}

// A line after one ending in '\' within a definition: the definition's next line.
bool LineExpander::continueDefinition(std::string_view raw, int lineNo) {
  LineScan sc = scan(raw);
  size_t begin = 0;
  while (begin < raw.size() && isBlank(raw[begin])) ++begin;
  size_t end = trimmedEnd(raw, sc.codeEnd);
  if (end <= begin) {
    // keepalived hands its VRRP process a copy of the file with comments removed, in
    // which this line is empty, and an empty line ends a definition.
    if (!raw.empty()) {
      diags_.warning({file_, lineNo, static_cast<int>(begin) + 1},
                     "a line with only blanks or a comment ends the multi-line definition of $" +
                         pending_.name + " begun at " + pending_.value.where.str() +
                         " (as in keepalived's VRRP process); the lines after it are read as "
                         "ordinary lines");
    }
    finishDefinition();
    return true;
  }
  // As in keepalived, a '\\' ending the line continues it even after a comment.
  bool more = raw[trimmedEnd(raw, raw.size()) - 1] == '\\';
  if (more && end == trimmedEnd(raw, raw.size())) end = trimmedEnd(raw, end - 1);
  std::string_view code = raw.substr(begin, end - begin);
  if (!code.empty()) pending_.value.lines.emplace_back(code);
  if (!more) finishDefinition();
  return true;
}

void LineExpander::finishDefinition() {
  // An empty value is an ordinary (single-line) definition, as in keepalived.
  if (pending_.value.lines.empty()) {
    pending_.value.lines.emplace_back();
    pending_.value.multiLine = false;
  }
  defs_.set(pending_.name, std::move(pending_.value));
  pending_ = {};
}

void LineExpander::process(Work w, int depth) {
  if (depth > kMaxDepth) {
    diags_.warning(at(w, 0), "expansions nested deeper than " + std::to_string(kMaxDepth) +
                                 " (a definition that uses itself?); line skipped");
    return;
  }
  w.trimLeft();
  if (w.s.empty()) return;
  if (!applyConditional(w)) return;
  w.trimLeft();
  if (applyDefinition(w)) return;
  if (w.s.starts_with("~SEQ") || w.s.starts_with("~LST")) {
    applyReplication(w, depth);
    return;
  }
  if (w.s[0] == '~') return emit(std::move(w));  // keepalived leaves such a line as it is

  std::vector<Work> following;
  if (expand(w, following)) {
    // keepalived looks at an expanded line again: it may now be a conditional line, a
    // definition or a ~SEQ.
    process(std::move(w), depth + 1);
  } else if (!w.s.empty()) {
    processAfterBraces(w);
    emit(std::move(w));
  }
  for (Work& f : following) process(std::move(f), depth + 1);
}

bool LineExpander::applyConditional(Work& w) {
  if (w.s[0] != '@') return true;
  bool negated = w.s.size() > 1 && w.s[1] == '^';
  size_t idStart = negated ? 2 : 1;
  size_t idEnd = idStart;
  while (idEnd < w.s.size() && !isBlank(w.s[idEnd])) ++idEnd;
  if (idEnd >= w.s.size()) return false;  // nothing after the id: keepalived drops the line
  bool same = std::string_view(w.s).substr(idStart, idEnd - idStart) == defs_.configId();
  if (same == negated) return false;
  size_t rest = idEnd;
  while (rest < w.s.size() && isBlank(w.s[rest])) ++rest;
  w.erase(0, rest);
  return true;
}

bool LineExpander::applyDefinition(const Work& w) {
  const std::string& s = w.s;
  if (s.size() < 2 || s[0] != '$' || !isNameStart(s[1])) return false;
  size_t i = 2;
  while (i < s.size() && isNameChar(s[i])) ++i;
  if (i >= s.size() || s[i] != '=') return false;
  std::string name = s.substr(1, i - 1);
  size_t begin = i + 1;
  while (begin < s.size() && isBlank(s[begin])) ++begin;
  size_t lineEnd = trimmedEnd(s, s.size());
  size_t end = std::max(begin, trimmedEnd(s, scan(s).codeEnd));
  // A '\\' ending the line makes it multi-line, even after a comment (keepalived).
  bool more = lineEnd > begin && s[lineEnd - 1] == '\\';
  if (more && end == lineEnd) end = std::max(begin, trimmedEnd(s, end - 1));
  std::string value = s.substr(begin, end - begin);

  Definitions::Value v;
  v.where = at(w, 0);
  if (more) {
    if (!value.empty()) v.lines.push_back(value);
    v.multiLine = true;
    pending_ = {name, std::move(v), true};
    return true;
  }
  v.lines.push_back(value);
  defs_.set(name, std::move(v));
  return true;
}

bool LineExpander::applyReplication(const Work& w, int depth) {
  const std::string& s = w.s;
  bool seq = s[1] == 'S';
  size_t i = 4;
  bool hex = seq && i < s.size() && s[i] == 'x';
  if (hex) ++i;
  while (i < s.size() && isBlank(s[i])) ++i;
  size_t close = s.find(')', i);
  auto invalid = [&](const std::string& why) {
    diags_.warning(at(w, 0), "invalid " + std::string(seq ? "~SEQ" : "~LST") + " '" +
                                 s.substr(0, close == std::string::npos ? s.size() : close + 1) +
                                 "': " + why + "; line skipped (keepalived skips it too)");
    return false;
  };
  if (i >= s.size() || s[i] != '(' || close == std::string::npos) {
    return invalid("expected '(' ... ')'");
  }
  // Definitions may be used among the parameters.
  Work params = w.slice(i + 1, close);
  std::vector<Work> extra;
  expand(params, extra);
  if (!extra.empty()) return invalid("a multi-line definition among the parameters");
  size_t restStart = close + 1;
  while (restStart < s.size() && isBlank(s[restStart])) ++restStart;
  Work rest = w.slice(restStart, s.size());
  const std::string& p = params.s;
  size_t k = 0;

  if (seq) {
    std::string var = listWord(p, k);
    if (var.empty() || k >= p.size() || p[k] != ',') return invalid("expected VAR, then numbers");
    std::vector<long> n;
    while (k < p.size() && p[k] == ',' && n.size() < 3) {
      ++k;
      auto v = parseNumber(p, k);
      if (!v) return invalid("expected a number");
      n.push_back(*v);
    }
    if (k != p.size() || n.empty()) return invalid("expected (VAR, [START,] [STEP,] END)");
    long start = 0, step = 0, end = 0;
    if (n.size() == 1) {
      end = n[0];
      step = end < 1 ? -1 : 1;
      start = end < 0 ? -1 : 1;
    } else if (n.size() == 2) {
      start = n[0];
      end = n[1];
      step = start <= end ? 1 : -1;
    } else {
      start = n[0];
      step = n[1];
      end = n[2];
      if (step == 0 || (start < end && step < 0) || (start > end && step > 0)) {
        return invalid("the step does not lead from START to END");
      }
    }
    if (hex && (start < 0 || end < 0)) return invalid("~SEQx takes no negative numbers");
    for (long v = start; step > 0 ? v <= end : v >= end; v += step) {
      defs_.set(var, {{toText(v, hex)}, false, at(w, 0)});
      process(rest, depth + 1);
    }
    return true;
  }

  auto vars = listGroup(p, k);
  if (!vars || k >= p.size() || p[k] != ',')
    return invalid("expected VAR or {VAR, ...}, then values");
  for (const auto& v : *vars) {
    if (v.empty()) return invalid("empty variable name");
  }
  std::vector<std::vector<std::string>> sets;
  while (k < p.size() && p[k] == ',') {
    ++k;
    auto values = listGroup(p, k);
    if (!values) return invalid("unclosed '{'");
    if (values->size() > vars->size()) return invalid("more values than variables");
    values->resize(vars->size());  // missing values are empty, as in keepalived
    sets.push_back(std::move(*values));
  }
  if (k != p.size() || sets.empty()) return invalid("expected (VAR, VALUE, ...)");
  for (const auto& set : sets) {
    for (size_t v = 0; v < vars->size(); ++v) defs_.set((*vars)[v], {{set[v]}, false, at(w, 0)});
    process(rest, depth + 1);
  }
  return true;
}

// Replaces every use of a definition in the code part of `w`, rescanning what it put
// in (a value may use other definitions, looked up now, not when it was defined). A
// multi-line definition's further lines go to the front of `following`. False when
// nothing was replaced.
bool LineExpander::expand(Work& w, std::vector<Work>& following) {
  bool changed = false;
  int expansions = 0;
  size_t i = 0;
  while (true) {
    LineScan sc = scan(w.s);
    size_t end = sc.codeEnd;
    i = w.s.find('$', i);
    if (i == std::string::npos || i + 1 >= end) break;
    std::optional<Reference> ref = parseReference(w.s, i, end);
    if (!ref) {
      ++i;
      continue;
    }
    std::string single;
    const std::vector<std::string>* lines = nullptr;
    bool multiLine = false;
    const Definitions::Value* user = defs_.find(ref->name);
    bool paramsOk =
        !ref->paramsGiven || (!user && ref->name == "_RANDOM" && ref->params.size() <= 2);
    if (user && paramsOk) {
      lines = &user->lines;
      multiLine = user->multiLine;
    } else if (paramsOk && ref->name == "_PWD") {
      single = dir_;
    } else if (paramsOk && ref->name == "_INSTANCE") {
      single = defs_.configId();
    } else if (paramsOk && ref->name == "_HASH") {
      single = "#";
    } else if (paramsOk && ref->name == "_BANG") {
      single = "!";
    } else if (paramsOk && ref->name == "_RANDOM") {
      long min = ref->params.size() > 0 ? ref->params[0] : 0;
      long max = ref->params.size() > 1 ? ref->params[1] : 32767;
      single = std::to_string(defs_.random(min, max));
    } else {
      if (ref->braces && !sc.quoted[i]) {
        std::string text = w.s.substr(i, ref->length);
        diags_.warning(at(w, i),
                       paramsOk ? "'" + text + "': " + ref->name +
                                      " is not defined; left as it is (keepalived leaves it "
                                      "too, and then reads its braces as a block)"
                                : "'" + text + "': " + ref->name +
                                      " takes no parameters; left as it is (as keepalived does)");
      }
      ++i;
      continue;
    }
    if (multiLine && i + ref->length != trimmedEnd(w.s, end)) {
      diags_.warning(at(w, i), "$" + ref->name +
                                   " is a multi-line definition, usable only at the end of a "
                                   "line; left as it is (as keepalived does)");
      ++i;
      continue;
    }
    if (!lines) {
      w.replace(i, ref->length, single);
    } else {
      int column = at(w, i).column;
      std::vector<Work> more;
      for (size_t l = 1; l < lines->size(); ++l) {
        more.push_back({(*lines)[l], std::vector<int>((*lines)[l].size(), column), w.line});
      }
      following.insert(following.begin(), more.begin(), more.end());
      w.replace(i, ref->length, lines->empty() ? std::string() : (*lines)[0]);
    }
    changed = true;
    if (++expansions > kMaxExpansionsPerLine || w.s.size() > kMaxLineLength) {
      diags_.warning(at(w, i), "expanding $" + ref->name +
                                   " does not end (a definition that uses itself?); line "
                                   "skipped");
      w.s.clear();
      w.col.clear();
      following.clear();
      return false;
    }
  }
  return changed;
}

// keepalived reads what follows a '{' or '}' as a line of its own, so a conditional
// may follow a brace: "virtual_ipaddress { @main 192.0.2.1 }".
void LineExpander::processAfterBraces(Work& w) {
  size_t from = 0;
  while (true) {
    LineScan sc = scan(w.s);
    auto brace = std::find_if(sc.braces.begin(), sc.braces.end(),
                              [&](size_t b) { return b >= from && b < sc.codeEnd; });
    if (brace == sc.braces.end()) return;
    size_t r = *brace + 1;
    from = r;
    while (r < sc.codeEnd && isBlank(w.s[r])) ++r;
    if (r >= sc.codeEnd || w.s[r] != '@') continue;
    Work rest = w.slice(r, sc.codeEnd);
    if (applyConditional(rest)) {
      w.erase(r, r + (sc.codeEnd - r - rest.s.size()));
      continue;
    }
    // Not selected: the text up to the end of the line goes. keepalived drops the
    // braces in it too, and then misses a '}'; holdfast keeps them.
    Work kept = w.slice(0, trimmedEnd(w.s, r));
    bool dropped = false;
    for (size_t b : sc.braces) {
      if (b < r) continue;
      kept.s += ' ';
      kept.col.push_back(w.col[b]);
      kept.s += w.s[b];
      kept.col.push_back(w.col[b]);
      dropped = true;
    }
    if (dropped) {
      diags_.warning(at(w, r),
                     "conditional text after a brace is not selected: it is skipped up to the "
                     "end of the line, braces kept (keepalived 2.2.7 drops those braces too)");
    }
    Work tail = w.slice(sc.codeEnd, w.s.size());
    kept.s += tail.s;
    kept.col.insert(kept.col.end(), tail.col.begin(), tail.col.end());
    w = std::move(kept);
    return;
  }
}

void LineExpander::emit(Work w) {
  size_t end = trimmedEnd(w.s, w.s.size());
  if (end == 0) return;
  ready_.push_back({std::move(w.s), w.line, std::move(w.col)});
}

}  // namespace holdfast::config
