#pragma once
// "did you mean ...?" for misspelt keywords: the closest candidate by edit distance,
// if it is close enough to be a plausible typo.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace holdfast::config {

// Levenshtein distance, counting a swap of two neighbours as one edit.
int editDistance(std::string_view a, std::string_view b);

std::optional<std::string> closest(std::string_view word,
                                   std::span<const std::string_view> candidates);

}  // namespace holdfast::config
