#include <catch2/catch.hpp>

#include "core/config/lexer.h"

using namespace holdfast::config;

namespace {
std::vector<Token> lexText(std::string_view text, Diagnostics& d) {
  return lex(text, std::make_shared<const std::string>("t.conf"), d);
}
}  // namespace

TEST_CASE("braces are tokens even when glued to words") {
  Diagnostics d;
  auto t = lexText("vrrp_instance VI_1{priority 1}", d);
  REQUIRE(t.size() == 6);
  CHECK(t[1].text == "VI_1");
  CHECK(t[2].kind == TokenKind::kOpenBrace);
  CHECK(t[3].text == "priority");
  CHECK(t[5].kind == TokenKind::kCloseBrace);
  CHECK_FALSE(d.hasErrors());
}

TEST_CASE("both comment styles run to the end of the line, anywhere outside quotes") {
  Diagnostics d;
  auto t = lexText("a ! x y\n# whole line\nb # c\nauth_pass ab#1!\nk \"x#y\" e\\#f", d);
  REQUIRE(t.size() == 7);
  CHECK(t[0].text == "a");
  CHECK(t[1].text == "b");
  CHECK(t[3].text == "ab");  // keepalived: '#' inside a word starts a comment
  CHECK(t[5].text == "x#y");
  CHECK(t[6].text == "e#f");  // \# keeps one literally
  CHECK(d.warningCount() == 1);
}

TEST_CASE("tokens know their line, column and whether they start a line") {
  Diagnostics d;
  auto t = lexText("  a b\n\tc", d);
  REQUIRE(t.size() == 3);
  CHECK(t[0].where.str() == "t.conf:1:3");
  CHECK(t[0].firstOnLine);
  CHECK(t[1].where.str() == "t.conf:1:5");
  CHECK_FALSE(t[1].firstOnLine);
  CHECK(t[2].where.str() == "t.conf:2:2");
  CHECK(t[2].firstOnLine);
}

TEST_CASE("quoted strings keep blanks and braces") {
  Diagnostics d;
  auto t = lexText(R"(script "test -f /x && { exit 1; } || say \"hi\"")", d);
  REQUIRE(t.size() == 2);
  CHECK(t[1].kind == TokenKind::kString);
  CHECK(t[1].text == R"(test -f /x && { exit 1; } || say "hi")");
}

TEST_CASE("CRLF line ends are accepted") {
  Diagnostics d;
  auto t = lexText("a b\r\nc\r\n", d);
  REQUIRE(t.size() == 3);
  CHECK(t[1].text == "b");
  CHECK(t[2].firstOnLine);
}
