#pragma once
// The kinds of health check and the layer each one proves. A backend's checks form
// a ladder L3 < L4 < L5: the lowest failing layer is the cause (docs/ARCHITECTURE.md, Layers).

#include <optional>
#include <string_view>

namespace holdfast::checkers {

enum class CheckKind { kIcmp, kTcp, kHttp, kScript };
enum class Layer { kL3 = 3, kL4 = 4, kL5 = 5, kScript = 7 };

const char* toString(CheckKind kind);
std::optional<CheckKind> parseCheckKind(std::string_view text);
Layer layerOf(CheckKind kind);
const char* toString(Layer layer);

}  // namespace holdfast::checkers
