#pragma once
// Where a token or a config value came from: file, line and column (1-based).
// The file name is shared by every token of a file, so copying a location is cheap.

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace holdfast::config {

struct SourceLocation {
  std::shared_ptr<const std::string> file;
  int line = 0;    // 0: the whole file (e.g. "cannot open")
  int column = 0;  // 0: the whole line

  const std::string& fileName() const;
  // "FILE:LINE:COL", "FILE:LINE" or "FILE", as much as is known.
  std::string str() const;
  // "FILE:LINE", used in "opened at ..." notes.
  std::string fileLine() const;
  // Locations say where a value was written, not what it is: two configs that differ
  // only in where things were written compare equal (the reload plan relies on it).
  bool operator==(const SourceLocation&) const { return true; }
};

// Where each keyword of one config block was given, so that a later error about a
// value (at validation, reload or run time) can point at its line.
class KeywordLocations {
 public:
  void set(const std::string& keyword, const SourceLocation& where) { map_[keyword] = where; }
  bool has(std::string_view keyword) const { return map_.find(keyword) != map_.end(); }
  // The keyword's location, or `fallback` when it was not given.
  const SourceLocation& at(std::string_view keyword, const SourceLocation& fallback) const {
    auto it = map_.find(keyword);
    return it == map_.end() ? fallback : it->second;
  }

 private:
  std::map<std::string, SourceLocation, std::less<>> map_;

 public:
  // As for SourceLocation: where keywords were written never makes two blocks differ.
  // (A keyword whose presence means something is compared by its own field.)
  bool operator==(const KeywordLocations&) const { return true; }
};

}  // namespace holdfast::config
