#include "core/config/source_reader.h"

#include <glob.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace holdfast::config {
namespace fs = std::filesystem;

SourceText SourceReader::readFile(const std::string& path) {
  out_ = {};
  readInto(path, SourceLocation{});
  return std::move(out_);
}

SourceText SourceReader::readText(std::string_view text, const std::string& name) {
  out_ = {};
  out_.files.push_back(name);
  stack_.push_back(name);
  lexInto(text, name, ".");
  stack_.pop_back();
  return std::move(out_);
}

void SourceReader::readInto(const std::string& path, const SourceLocation& includedFrom) {
  auto fail = [&](const std::string& why) {
    if (includedFrom.line > 0) {
      diags_.error(includedFrom, "cannot read included file '" + path + "': " + why);
    } else {
      diags_.error(SourceLocation{std::make_shared<std::string>(path)},
                   "cannot read config file: " + why);
    }
  };
  std::error_code ec;
  if (fs::is_directory(path, ec)) return fail("it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();

  std::string canonical = fs::weakly_canonical(path, ec).string();
  if (ec) canonical = path;
  out_.files.push_back(path);
  stack_.push_back(canonical);
  lexInto(buf.str(), path, fs::path(path).parent_path().string());
  stack_.pop_back();
}

void SourceReader::lexInto(std::string_view text, const std::string& name,
                           const std::string& baseDir) {
  auto file = std::make_shared<const std::string>(name);
  // ${_PWD}: the file's directory, absolute, as keepalived's getcwd() gives it.
  std::error_code ec;
  fs::path dir = fs::absolute(baseDir.empty() ? "." : baseDir, ec);
  fs::path canonicalDir = fs::weakly_canonical(dir, ec);
  if (!ec) dir = canonicalDir;
  LineExpander lines(text, file, dir.lexically_normal().string(), defs_, diags_);
  ExpandedLine line;
  while (lines.next(line)) readLine(line, file, baseDir);
}

// Lexes one expanded line, moving every token and lexer message back to where its
// text was written, then takes an `include` line.
void SourceReader::readLine(const ExpandedLine& line,
                            const std::shared_ptr<const std::string>& file,
                            const std::string& baseDir) {
  auto place = [&](SourceLocation& where) {
    where.column = line.columnAt(where.column);
    where.line = line.line;
  };
  Diagnostics lexDiags;
  std::vector<Token> tokens = lex(line.text, file, lexDiags);
  for (Diagnostic d : lexDiags.all()) {
    place(d.where);
    if (d.severity == Severity::kError) {
      diags_.error(d.where, std::move(d.message));
    } else if (d.severity == Severity::kWarning) {
      diags_.warning(d.where, std::move(d.message));
    } else {
      diags_.noEffect(d.where, std::move(d.message));
    }
  }
  for (Token& t : tokens) place(t.where);

  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (!(t.firstOnLine && isInclude(t))) {
      out_.tokens.push_back(t);
      continue;
    }
    // `include` takes exactly one pattern on its own line.
    if (i + 1 >= tokens.size() || tokens[i + 1].firstOnLine || !tokens[i + 1].isValue()) {
      diags_.error(t.where, "expected a file name or glob pattern after '" + t.text + "'");
      continue;
    }
    const Token& pattern = tokens[++i];
    while (i + 1 < tokens.size() && !tokens[i + 1].firstOnLine) {
      diags_.error(tokens[i + 1].where,
                   "unexpected " + describe(tokens[i + 1]) + " after 'include " + pattern.text +
                       "' (include takes one pattern; quote it if it contains blanks)");
      ++i;
    }
    expandInclude(pattern, baseDir.empty() ? "." : baseDir);
  }
}

// `include`, and keepalived's variants that add checks to it (includer, includem,
// includew, includeb, includea: keepalived.conf(5)); holdfast reads the files of all of
// them and reports what it finds the same way.
bool SourceReader::isInclude(const Token& t) {
  if (t.kind != TokenKind::kWord) return false;
  return t.text == "include" || t.text == "includer" || t.text == "includem" ||
         t.text == "includew" || t.text == "includeb" || t.text == "includea";
}

void SourceReader::expandInclude(const Token& pattern, const std::string& baseDir) {
  std::string full = pattern.text;
  if (!full.empty() && full[0] != '/') full = baseDir + "/" + full;

  if (static_cast<int>(stack_.size()) >= kMaxIncludeDepth) {
    diags_.error(pattern.where,
                 "includes nested deeper than " + std::to_string(kMaxIncludeDepth) + " files");
    return;
  }

  glob_t g{};
  int rc = ::glob(full.c_str(), GLOB_ERR, nullptr, &g);
  std::vector<std::string> matches(g.gl_pathv, g.gl_pathv + g.gl_pathc);
  ::globfree(&g);
  std::sort(matches.begin(), matches.end());

  bool isPattern = full.find_first_of("*?[") != std::string::npos;
  if (rc == GLOB_NOMATCH || matches.empty()) {
    if (isPattern) {
      diags_.warning(pattern.where, "include pattern '" + pattern.text + "' matches no file");
    } else {
      // keepalived's plain include reports no error for a file that is not there.
      diags_.warning(pattern.where, "cannot read included file '" + pattern.text +
                                        "': no such file; skipped, as keepalived does");
    }
    return;
  }
  if (rc != 0) {
    diags_.error(pattern.where, "cannot expand include pattern '" + pattern.text + "'");
    return;
  }

  for (const std::string& path : matches) {
    std::error_code ec;
    std::string canonical = fs::weakly_canonical(path, ec).string();
    if (std::find(stack_.begin(), stack_.end(), canonical) != stack_.end()) {
      std::string chain;
      for (const auto& f : stack_) chain += f + " -> ";
      diags_.error(pattern.where, "include cycle: " + chain + canonical);
      continue;
    }
    readInto(path, pattern.where);
  }
}

}  // namespace holdfast::config
