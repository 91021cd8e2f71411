#pragma once
// Reads a config file into one token stream, expanding `include PATTERN` lines.
// Patterns are globs, relative to the directory of the file that includes them;
// matches are read in sorted order. An include that leads back to a file being read
// is a cycle and an error; so is nesting deeper than kMaxIncludeDepth.
// Each file's lines go through keepalived's conditional lines and definitions
// (preprocess.h) before the lexer; definitions carry into included files and back,
// and an `include` line may itself be conditional or use a definition. Every token
// keeps its place in the file it was written in.

#include <string>
#include <vector>

#include "core/config/diagnostics.h"
#include "core/config/lexer.h"
#include "core/config/preprocess.h"

namespace holdfast::config {

struct SourceText {
  std::vector<Token> tokens;
  std::vector<std::string> files;  // every file read, in order
};

class SourceReader {
 public:
  static constexpr int kMaxIncludeDepth = 16;

  // `configId`: what `@ID` lines are compared with (holdfastd -i).
  SourceReader(Diagnostics& diags, std::string configId)
      : diags_(diags), defs_(std::move(configId)) {}

  // Reads `path` and everything it includes.
  SourceText readFile(const std::string& path);
  // Lexes `text` as if read from a file named `name`; includes are relative to the
  // current directory.
  SourceText readText(std::string_view text, const std::string& name);

 private:
  void readInto(const std::string& path, const SourceLocation& includedFrom);
  void lexInto(std::string_view text, const std::string& name, const std::string& baseDir);
  void readLine(const ExpandedLine& line, const std::shared_ptr<const std::string>& file,
                const std::string& baseDir);
  void expandInclude(const Token& pattern, const std::string& baseDir);
  static bool isInclude(const Token& t);

  Diagnostics& diags_;
  Definitions defs_;
  SourceText out_;
  std::vector<std::string> stack_;  // canonical paths of the files being read
};

}  // namespace holdfast::config
