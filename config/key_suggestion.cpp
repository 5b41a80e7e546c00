#include "config/key_suggestion.hpp"

#include <algorithm>

namespace ks::config {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance; keys are short, so the full table is fine.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  if (word.size() > 200) return std::nullopt;  // no typo is that long; keep the table small
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (std::string_view c : candidates) {
    const std::size_t dist = edit_distance(word, c);
    if (!best || dist < best_distance) {
      best = std::string(c);
      best_distance = dist;
    }
  }
  // A third of the longer word, at least 2: catches typos, not unrelated words.
  if (best) {
    const std::size_t longer = std::max(word.size(), best->size());
    if (best_distance <= std::max<std::size_t>(2, longer / 3)) return best;
  }
  // A longer or shorter spelling of the same word ("warning" for "warn").
  for (std::string_view c : candidates) {
    const std::string_view shorter = c.size() < word.size() ? c : word;
    const std::string_view other = c.size() < word.size() ? word : c;
    if (shorter.size() >= 3 && edit_distance(shorter, other.substr(0, shorter.size())) == 0) {
      return std::string(c);
    }
  }
  return std::nullopt;
}

}  // namespace ks::config
