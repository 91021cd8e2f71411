#include "core/config/build_context.h"

#include "core/config/values.h"

namespace holdfast::config::detail {

namespace {
template <typename T>
std::optional<T> checked(BuildContext& ctx, const Node& n, size_t arg,
                         const std::expected<T, std::string>& v) {
  if (v) return *v;
  ctx.error(n.args[arg], n.keyword.text, v.error());
  return std::nullopt;
}
}  // namespace

std::optional<Duration> BuildContext::duration(const Node& n, size_t arg) {
  return checked(*this, n, arg, parseDuration(n.args[arg].text));
}

std::optional<int> BuildContext::integer(const Node& n, int low, int high, size_t arg) {
  return checked(*this, n, arg, parseInt(n.args[arg].text, low, high));
}

std::optional<IpAddress> BuildContext::address(const Node& n, size_t arg) {
  return checked(*this, n, arg, parseAddress(n.args[arg].text));
}

std::optional<bool> BuildContext::boolean(const Node& n, size_t arg) {
  return checked(*this, n, arg, parseBool(n.args[arg].text));
}

std::string BuildContext::joined(const Node& n) {
  std::string out;
  for (const Token& a : n.args) {
    if (!out.empty()) out += ' ';
    out += a.text;
  }
  return out;
}

void BuildContext::error(const Token& at, const std::string& keyword, const std::string& what) {
  mistake(at.where, "'" + keyword + "': " + what);
}

void BuildContext::mistake(const SourceLocation& where, const std::string& what,
                           const std::string& done) {
  if (tolerant_) {
    diags_.warning(where, what + "; " + done);
  } else {
    diags_.error(where, what);
  }
}

void KeywordTracker::see(const Node& n) {
  bool repeatable = n.hasBlock || n.keyword.text == "header" || n.keyword.text == "check" ||
                    n.keyword.text == "expect_status";
  if (!repeatable && locations_.has(n.keyword.text)) {
    diags_.warning(n.where(), "'" + n.keyword.text + "' given more than once; the last one wins");
  }
  locations_.set(n.keyword.text, n.where());
}

}  // namespace holdfast::config::detail
