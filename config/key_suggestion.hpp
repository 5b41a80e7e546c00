#pragma once
// "did you mean ...?" for misspelt keys and values.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::config {

// Edit distance (insert, delete, substitute, swap of neighbours), case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace ks::config
