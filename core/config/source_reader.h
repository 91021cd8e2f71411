#pragma once
// Reads a config file into one token stream, expanding `include PATTERN` lines.
// Patterns are globs, relative to the directory of the file that includes them;
// matches are read in sorted order. An include that leads back to a file being read
// is a cycle and an error; so is nesting deeper than kMaxIncludeDepth.

#include <string>
#include <vector>

#include "core/config/diagnostics.h"
#include "core/config/lexer.h"

namespace holdfast::config {

struct SourceText {
  std::vector<Token> tokens;
  std::vector<std::string> files;  // every file read, in order
};

class SourceReader {
 public:
  static constexpr int kMaxIncludeDepth = 16;

  explicit SourceReader(Diagnostics& diags) : diags_(diags) {}

  // Reads `path` and everything it includes.
  SourceText readFile(const std::string& path);
  // Lexes `text` as if read from a file named `name`; includes are relative to the
  // current directory.
  SourceText readText(std::string_view text, const std::string& name);

 private:
  void readInto(const std::string& path, const SourceLocation& includedFrom);
  void lexInto(std::string_view text, const std::string& name, const std::string& baseDir);
  void expandInclude(const Token& pattern, const std::string& baseDir);

  Diagnostics& diags_;
  SourceText out_;
  std::vector<std::string> stack_;  // canonical paths of the files being read
};

}  // namespace holdfast::config
