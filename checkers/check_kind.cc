#include "checkers/check_kind.h"

namespace holdfast::checkers {

const char* toString(CheckKind kind) {
  switch (kind) {
    case CheckKind::kIcmp:
      return "icmp";
    case CheckKind::kTcp:
      return "tcp";
    case CheckKind::kHttp:
      return "http";
    case CheckKind::kScript:
      return "script";
  }
  return "?";
}

std::optional<CheckKind> parseCheckKind(std::string_view text) {
  for (CheckKind k : {CheckKind::kIcmp, CheckKind::kTcp, CheckKind::kHttp, CheckKind::kScript}) {
    if (text == toString(k)) return k;
  }
  return std::nullopt;
}

Layer layerOf(CheckKind kind) {
  switch (kind) {
    case CheckKind::kIcmp:
      return Layer::kL3;
    case CheckKind::kTcp:
      return Layer::kL4;
    case CheckKind::kHttp:
      return Layer::kL5;
    case CheckKind::kScript:
      return Layer::kScript;
  }
  return Layer::kScript;
}

const char* toString(Layer layer) {
  switch (layer) {
    case Layer::kL3:
      return "L3";
    case Layer::kL4:
      return "L4";
    case Layer::kL5:
      return "L5";
    case Layer::kScript:
      return "script";
  }
  return "?";
}

}  // namespace holdfast::checkers
