#pragma once
// The words of one keepalived route or rule line, shared by build_routes.cc and
// build_rules.cc: numbers, addresses, prefixes, tables and names as keepalived 2.2.7
// reads them (vrrp_iproute.c, vrrp_iprule.c), and LineReader, which walks a line the
// way keepalived does.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/build_context.h"
#include "core/config/model.h"

namespace holdfast::config::detail::route_line {

using Address = boost::asio::ip::address;

// One word of a line and where it stands.
struct Word {
  const std::string* text;
  const SourceLocation* where;
};

std::vector<Word> wordsOf(const Node& item);
// A decimal or 0x number up to `max`.
std::optional<uint64_t> number(std::string_view s, uint64_t max);
std::optional<Address> address(const std::string& s);

// A prefix, or `default`/`any`/`all` (length 0, family from the rest of the line).
struct ParsedPrefix {
  RoutePrefix prefix;
  bool anyFamily = false;
};

std::optional<ParsedPrefix> prefix(BuildContext& ctx, const Word& w);
std::optional<uint32_t> tableId(const std::string& s);
std::optional<uint8_t> named(const std::string& s, const std::map<std::string, uint8_t>& names);

extern const std::map<std::string, uint8_t> kProtocols;
extern const std::map<std::string, uint8_t> kScopes;
extern const std::map<std::string, uint8_t> kTypes;
std::optional<uint8_t> routeType(const std::string& s);

// Options keepalived installs and holdfast does not (yet): the line is skipped.
extern const std::set<std::string> kRouteUnimplemented;
extern const std::set<std::string> kRuleUnimplemented;

// Reads one line; keeps going through every word as keepalived does, and stops at the
// first problem that makes keepalived drop the line.
class LineReader {
 public:
  LineReader(BuildContext& ctx, const Node& item, std::string_view what)
      : ctx_(ctx), words_(wordsOf(item)), what_(what) {}

  bool more() const { return i_ < words_.size(); }
  const std::string& word() const {
    static const std::string kNone;
    return more() ? *words_[i_].text : kNone;
  }
  const SourceLocation& where() const { return *words_[std::min(i_, words_.size() - 1)].where; }
  // The next word (the value of an option), or an empty word past the end.
  const std::string& next() {
    ++i_;
    return word();
  }
  void advance() { ++i_; }
  size_t index() const { return i_; }
  const Word& at(size_t i) const { return words_[i]; }

  // The line is dropped: a tolerated mistake, as keepalived's report_config_error.
  bool drop(const std::string& why) {
    ctx_.mistake(where(), std::string(what_) + ": " + why,
                 "the " + std::string(what_) + " is skipped, as keepalived does");
    return false;
  }
  bool unimplemented(const std::string& option) {
    ctx_.diags().noEffect(where(), "'" + option + "' in a " + std::string(what_) +
                                       " is not implemented in holdfast yet: this " +
                                       std::string(what_) + " is not installed");
    return false;
  }
  // keepalived 2.2.7 steps over the word after "inet" or "inet6" (it counts the
  // keyword twice): "inet6 default via ..." has no destination there. The same here,
  // said so.
  void skipAfterFamily() {
    if (i_ + 1 >= words_.size()) return;
    ++i_;
    ctx_.mistake(where(),
                 std::string(what_) + ": '" + word() + "' right after '" + *words_[i_ - 1].text +
                     "' is not read by keepalived 2.2.7 (it skips the word after the family)",
                 "skipped, as keepalived does; put the family last on the line");
  }
  // A family seen on the line: false on a mix, as keepalived refuses.
  bool family(bool& set, bool& ipv6, bool v6, const char* mixMessage) {
    if (!set) {
      set = true;
      ipv6 = v6;
      return true;
    }
    if (ipv6 != v6) return drop(mixMessage);
    return true;
  }

 private:
  BuildContext& ctx_;
  std::vector<Word> words_;
  std::string_view what_;
  size_t i_ = 0;
};

}  // namespace holdfast::config::detail::route_line
