#include "core/config/suggest.h"

#include <algorithm>
#include <vector>

namespace holdfast::config {

int editDistance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::optional<std::string> closest(std::string_view word,
                                   std::span<const std::string_view> candidates) {
  // Allow about one typo per four letters, at least one and at most three.
  const int limit = std::clamp(static_cast<int>(word.size()) / 4, 1, 3);
  std::optional<std::string> best;
  int bestDistance = limit + 1;
  for (std::string_view c : candidates) {
    int dist = editDistance(word, c);
    if (dist < bestDistance) {
      bestDistance = dist;
      best = std::string(c);
    }
  }
  return best;
}

}  // namespace holdfast::config
