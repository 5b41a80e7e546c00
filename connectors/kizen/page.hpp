#pragma once
// A page of a paginated Kizen list: {"count", "next", "previous", "results", "errors"}.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ks::kizen {

template <class T>
struct page {
  std::int64_t count = 0;           // total over all pages
  std::optional<std::string> next;  // absolute URL of the next page; nullopt on the last
  std::optional<std::string> previous;
  std::vector<T> results;
  std::vector<std::string> errors;  // the optional "errors" list (usually absent or null)
};

}  // namespace ks::kizen
