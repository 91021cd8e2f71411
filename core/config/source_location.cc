#include "core/config/source_location.h"

namespace holdfast::config {

const std::string& SourceLocation::fileName() const {
  static const std::string kUnknown = "<config>";
  return file ? *file : kUnknown;
}

std::string SourceLocation::str() const {
  std::string out = fileName();
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  return out;
}

std::string SourceLocation::fileLine() const {
  std::string out = fileName();
  if (line > 0) out += ':' + std::to_string(line);
  return out;
}

}  // namespace holdfast::config
