#include "core/daemon/startup_pages.h"

#include <sys/mman.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace holdfast::daemon {

namespace {

std::string_view nextField(std::string_view& line) {
  auto start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    line = {};
    return {};
  }
  line.remove_prefix(start);
  auto end = line.find(' ');
  auto field = line.substr(0, end);
  line.remove_prefix(end == std::string_view::npos ? line.size() : end);
  return field;
}

template <typename T>
bool parseNumber(std::string_view text, T& out, int base) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// A mapping's header: "begin-end perms offset dev inode [path]".
bool parseHeader(std::string_view line, PageRange& range, bool& candidate) {
  auto span = nextField(line);
  auto dash = span.find('-');
  if (dash == std::string_view::npos) return false;
  if (!parseNumber(span.substr(0, dash), range.begin, 16) ||
      !parseNumber(span.substr(dash + 1), range.end, 16))
    return false;
  auto perms = nextField(line);
  nextField(line);  // offset
  nextField(line);  // device
  nextField(line);  // inode
  auto path = nextField(line);
  candidate = perms.size() == 4 && perms[0] == 'r' && perms[1] == '-' && perms[3] == 'p' &&
              path.starts_with('/');
  range.residentKib = 0;
  return true;
}

// "Name:   123 kB" -> 123 when the line is that field.
bool fieldKib(std::string_view line, std::string_view name, std::uint64_t& kib) {
  if (!line.starts_with(name) || line.size() <= name.size() || line[name.size()] != ':')
    return false;
  line.remove_prefix(name.size() + 1);
  return parseNumber(nextField(line), kib, 10);
}

}  // namespace

std::vector<PageRange> cleanFileMappings(std::string_view smaps) {
  std::vector<PageRange> out;
  PageRange range;
  bool candidate = false;
  while (!smaps.empty()) {
    auto eol = smaps.find('\n');
    auto line = smaps.substr(0, eol);
    smaps.remove_prefix(eol == std::string_view::npos ? smaps.size() : eol + 1);
    std::uint64_t kib = 0;
    if (fieldKib(line, "Rss", kib)) {
      range.residentKib = kib;
    } else if (fieldKib(line, "Anonymous", kib)) {
      if (candidate && kib == 0 && range.residentKib > 0) out.push_back(range);
      candidate = false;
    } else if (!line.empty() && line.front() != ' ' && line.find(':') > line.find(' ')) {
      // A header: its first field is "begin-end", fields are "Name: value".
      if (!parseHeader(line, range, candidate)) candidate = false;
    }
  }
  return out;
}

PagesReleased releaseStartupPages() {
  PagesReleased released;
  std::ifstream in("/proc/self/smaps");
  if (!in) return released;
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& range : cleanFileMappings(text.str())) {
    if (::madvise(reinterpret_cast<void*>(range.begin), range.end - range.begin, MADV_DONTNEED) !=
        0) {
      ++released.failures;
      continue;
    }
    ++released.mappings;
    released.residentKib += range.residentKib;
  }
  return released;
}

}  // namespace holdfast::daemon
