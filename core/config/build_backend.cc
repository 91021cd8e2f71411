// Typing of holdfast's native blocks: backend (with its checks) and backend_group.

#include <regex>

#include "core/config/build_context.h"
#include "core/config/values.h"

namespace holdfast::config::detail {
namespace {

// Which keywords make sense for which check kind; the rest are errors so that a
// typo'd kind ("check icmp { port 80 }") does not silently check something else.
bool appliesTo(std::string_view keyword, CheckKind kind) {
  static const std::set<std::string_view> kCommon{"interval",      "timeout",      "fast_interval",
                                                  "down_interval", "jitter",       "rise",
                                                  "fall",          "initial_state"};
  static const std::set<std::string_view> kTcp{"port", "send", "expect"};
  static const std::set<std::string_view> kHttp{"port",
                                                "path",
                                                "method",
                                                "host",
                                                "header",
                                                "expect_status",
                                                "expect_body",
                                                "expect_body_regex",
                                                "tls",
                                                "tls_verify",
                                                "sni",
                                                "ca_file",
                                                "follow_redirects",
                                                "reuse_connection"};
  if (kCommon.contains(keyword)) return true;
  switch (kind) {
    case CheckKind::kIcmp:
      return false;
    case CheckKind::kTcp:
      return kTcp.contains(keyword);
    case CheckKind::kHttp:
      return kHttp.contains(keyword);
    case CheckKind::kScript:
      return keyword == "script";
  }
  return false;
}

void buildCheck(BuildContext& ctx, const Node& n, CheckSpec& chk) {
  chk.where = n.where();
  KeywordTracker keywords(ctx.diags(), chk.locations);
  bool statusGiven = false;
  for (const Node& c : n.children) {
    keywords.see(c);
    const std::string& k = c.keyword.text;
    if (!appliesTo(k, chk.kind)) {
      ctx.diags().error(c.where(),
                        "'" + k + "' does not apply to a " + toString(chk.kind) + " check");
      continue;
    }
    if (k == "interval") {
      if (auto d = ctx.duration(c)) chk.interval = *d;
    } else if (k == "timeout") {
      if (auto d = ctx.duration(c)) chk.timeout = *d;
    } else if (k == "fast_interval") {
      if (auto d = ctx.duration(c)) chk.fastInterval = *d;
    } else if (k == "down_interval") {
      if (auto d = ctx.duration(c)) chk.downInterval = *d;
    } else if (k == "jitter") {
      if (auto d = ctx.duration(c)) chk.jitter = *d;
    } else if (k == "rise") {
      if (auto v = ctx.integer(c, 1, 1000)) chk.rise = *v;
    } else if (k == "fall") {
      if (auto v = ctx.integer(c, 1, 1000)) chk.fall = *v;
    } else if (k == "initial_state") {
      if (c.args[0].text == "up" || c.args[0].text == "down") {
        chk.initiallyUp = c.args[0].text == "up";
      } else {
        ctx.error(c.args[0], k, "expected up or down, found '" + c.args[0].text + "'");
      }
    } else if (k == "port") {
      if (auto v = ctx.integer(c, 1, 65535)) chk.port = *v;
    } else if (k == "path") {
      chk.path = c.args[0].text;
      if (chk.path.empty() || chk.path[0] != '/') {
        ctx.error(c.args[0], k, "expected a path starting with '/', found '" + chk.path + "'");
      }
    } else if (k == "method") {
      chk.method = c.args[0].text;
      if (chk.method != "GET" && chk.method != "HEAD") {
        ctx.error(c.args[0], k, "expected GET or HEAD, found '" + chk.method + "'");
      }
    } else if (k == "host") {
      chk.host = c.args[0].text;
    } else if (k == "header") {
      if (c.args[0].text.find(':') == std::string::npos) {
        ctx.error(c.args[0], k, "expected \"Name: value\", found '" + c.args[0].text + "'");
      }
      chk.headers.push_back(c.args[0].text);
    } else if (k == "expect_status") {
      if (!statusGiven) chk.expectStatus.clear();
      statusGiven = true;
      for (const Token& a : c.args) {
        auto r = parseStatusRange(a.text);
        if (r) {
          chk.expectStatus.push_back(*r);
        } else {
          ctx.diags().error(a.where, r.error());
        }
      }
    } else if (k == "expect_body") {
      chk.expectBody = c.args[0].text;
    } else if (k == "expect_body_regex") {
      chk.expectBodyRegex = c.args[0].text;
      try {
        std::regex re(chk.expectBodyRegex, std::regex::extended);
      } catch (const std::regex_error& e) {
        ctx.error(c.args[0], k, std::string("invalid regular expression: ") + e.what());
      }
    } else if (k == "send") {
      chk.send = unescapeProtocolString(c.args[0].text);
    } else if (k == "expect") {
      chk.expect = unescapeProtocolString(c.args[0].text);
    } else if (k == "tls") {
      chk.tls = true;
    } else if (k == "tls_verify") {
      if (auto b = ctx.boolean(c)) chk.tlsVerify = *b;
    } else if (k == "sni") {
      chk.sni = c.args[0].text;
    } else if (k == "ca_file") {
      chk.caFile = c.args[0].text;
    } else if (k == "follow_redirects") {
      chk.followRedirects = true;
    } else if (k == "reuse_connection") {
      chk.reuseConnection = true;
    } else if (k == "script") {
      chk.script = BuildContext::joined(c);
    }
  }

  // Defaults and rules that depend on the kind.
  if (chk.kind == CheckKind::kHttp && chk.port == 0) chk.port = chk.tls ? 443 : 80;
  if (chk.kind == CheckKind::kTcp && chk.port == 0) {
    ctx.diags().error(chk.where, "tcp check needs a 'port'");
  }
  if (chk.kind == CheckKind::kScript && chk.script.empty()) {
    ctx.diags().error(chk.where, "script check needs a 'script' command");
  }
  for (auto [d, what] : {std::pair{std::optional(chk.interval), "interval"},
                         {chk.fastInterval, "fast_interval"},
                         {chk.downInterval, "down_interval"}}) {
    if (d && *d < std::chrono::milliseconds(10)) {
      ctx.diags().error(chk.locations.at(what, chk.where), std::string("check ") + what + " " +
                                                               formatDuration(*d) +
                                                               " is below the minimum of 10ms");
    }
  }
  if (chk.timeout < std::chrono::milliseconds(1)) {
    ctx.diags().error(
        chk.locations.at("timeout", chk.where),
        "check timeout " + formatDuration(chk.timeout) + " is below the minimum of 1ms");
  }
  if (chk.timeout > chk.interval) {
    ctx.diags().warning(chk.where, "check timeout " + formatDuration(chk.timeout) +
                                       " is longer than its interval " +
                                       formatDuration(chk.interval) +
                                       "; a probe still running is not started again");
  }
}

}  // namespace

void buildBackend(BuildContext& ctx, const Node& n, Backend& b) {
  b.name = n.args[0].text;
  b.where = n.where();
  bool haveAddress = false;
  KeywordTracker keywords(ctx.diags(), b.locations);
  for (const Node& c : n.children) {
    keywords.see(c);
    const std::string& k = c.keyword.text;
    if (k == "address") {
      if (auto a = ctx.address(c)) {
        b.address = *a;
        haveAddress = true;
      }
    } else if (k == "check") {
      auto kind = checkers::parseCheckKind(c.args[0].text);
      if (!kind) {
        ctx.error(c.args[0], "check",
                  "expected icmp, tcp, http or script, found '" + c.args[0].text + "'");
        continue;
      }
      CheckSpec chk;
      chk.kind = *kind;
      buildCheck(ctx, c, chk);
      b.checks.push_back(std::move(chk));
    } else if (k == "notify_up") {
      b.notifyUp = BuildContext::joined(c);
    } else if (k == "notify_down") {
      b.notifyDown = BuildContext::joined(c);
    }
  }
  if (!haveAddress) ctx.diags().error(b.where, "backend '" + b.name + "' needs an 'address'");
  if (b.checks.empty()) {
    ctx.diags().warning(b.where, "backend '" + b.name + "' has no check; it is always up");
  }
}

void buildBackendGroup(BuildContext& ctx, const Node& n, BackendGroup& g) {
  g.name = n.args[0].text;
  g.where = n.where();
  KeywordTracker keywords(ctx.diags(), g.locations);
  const Token* quorumToken = nullptr;
  for (const Node& c : n.children) {
    keywords.see(c);
    if (c.keyword.text == "backends") {
      for (const Token& a : c.args) g.members.push_back({a.text, 0, false, false, a.where});
    } else if (c.keyword.text == "quorum") {
      quorumToken = &c.args[0];
      if (auto q = ctx.integer(c, 1, 100000)) g.quorum = *q;
    }
  }
  if (g.members.empty()) {
    ctx.diags().error(g.where, "backend_group '" + g.name + "' needs 'backends NAME...'");
  } else if (g.quorum > static_cast<int>(g.members.size())) {
    ctx.diags().error(quorumToken ? quorumToken->where : g.where,
                      "quorum " + std::to_string(g.quorum) + " is larger than the " +
                          std::to_string(g.members.size()) + " backends of group '" + g.name +
                          "'; it could never be up");
  }
}

}  // namespace holdfast::config::detail
