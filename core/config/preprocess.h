#pragma once
// keepalived's line-level config language, applied before the lexer: conditional lines
// (`@ID`, `@^ID`), definitions (`$NAME=VALUE`, multi-line with a trailing '\'), their
// use (`$NAME`, `${NAME}`), the predefined `_PWD`, `_INSTANCE`, `_RANDOM`, `_HASH`,
// `_BANG`, and the replication lines `~SEQ(...)`, `~SEQx(...)` and `~LST(...)`.
// holdfast.conf(5), DEFINITIONS AND CONDITIONAL LINES, says what each does; the
// semantics are keepalived 2.2.7's (lib/parser.c read_line), as its VRRP process
// reads a file.
//
// Pure: text in, lines out. Every output line says where it came from, character by
// character, so that a token the lexer finds in it is reported at its place in the
// file. Text an expansion produced is reported at the '$' of the outermost use (a
// multi-line definition's further lines too: at the line and column of its use).

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/diagnostics.h"
#include "core/config/source_location.h"

namespace holdfast::config {

// One line for the lexer.
struct ExpandedLine {
  std::string text;
  int line = 0;              // line in the file it came from (1-based)
  std::vector<int> columns;  // columns[i]: the file column (1-based) of text[i]

  // The file column of the lexer's column `col` (1-based) on this line.
  int columnAt(int col) const;
};

// The definitions in force while a config (a file and what it includes) is read:
// they carry from a file into the files it includes and back, as in keepalived.
class Definitions {
 public:
  // `configId`: what `@ID` lines are compared with (holdfastd -i; the host name up
  // to its first '.' by default), also the value of ${_INSTANCE}.
  explicit Definitions(std::string configId, uint32_t randomSeed = std::random_device{}());

  const std::string& configId() const { return configId_; }

  struct Value {
    std::vector<std::string> lines;  // more than one, or `multiLine`: a multi-line definition
    bool multiLine = false;          // usable only at the end of a line
    SourceLocation where;            // where it was (last) defined; empty for the predefined
  };
  void set(const std::string& name, Value value);
  const Value* find(std::string_view name) const;

  // ${_RANDOM MIN MAX}: a number in [min, max].
  long random(long min, long max);

 private:
  std::string configId_;
  std::map<std::string, Value, std::less<>> values_;
  std::mt19937 rng_;
};

// Reads one file's text line by line, as keepalived does, applying the definitions
// (and adding the ones the file makes). Problems keepalived tolerates are warnings.
class LineExpander {
 public:
  // `dir`: the absolute directory of the file, the value of ${_PWD}.
  LineExpander(std::string_view text, std::shared_ptr<const std::string> file, std::string dir,
               Definitions& defs, Diagnostics& diags);

  // The next line for the lexer, false at the end of the text. Lines that vanish
  // (definitions, conditional lines not selected, blank lines) are never returned.
  bool next(ExpandedLine& out);

 private:
  struct Work;  // a line being expanded: its text and where each character came from
  void readPhysicalLine(std::string_view raw, int lineNo);
  bool continueDefinition(std::string_view raw, int lineNo);
  void finishDefinition();
  void process(Work w, int depth);
  bool applyConditional(Work& w);
  bool applyDefinition(const Work& w);
  bool applyReplication(const Work& w, int depth);
  bool expand(Work& w, std::vector<Work>& following);
  void processAfterBraces(Work& w);
  void emit(Work w);
  SourceLocation at(const Work& w, size_t pos) const;

  std::string_view text_;
  size_t pos_ = 0;
  int lineNo_ = 0;
  std::shared_ptr<const std::string> file_;
  std::string dir_;
  Definitions& defs_;
  Diagnostics& diags_;
  std::deque<ExpandedLine> ready_;

  // A multi-line definition being read.
  struct Pending {
    std::string name;
    Definitions::Value value;
    bool open = false;
  } pending_;
};

}  // namespace holdfast::config
