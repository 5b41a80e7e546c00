#pragma once
// DRF page-number pagination: page (1-based; anything invalid or past the end is 404 "Invalid
// page."), page_size (default 50, capped at 100, invalid values fall back to the default), and
// absolute next/previous links that keep every other query parameter.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "http_message.hpp"

namespace kizen_emulator {

inline constexpr std::size_t default_page_size = 50;
inline constexpr std::size_t max_page_size = 100;

struct page_window {
  std::size_t page = 1;
  std::size_t page_size = default_page_size;
  std::size_t first = 0;  // index of the first item on the page
  std::size_t last = 0;   // one past the last
};

// Errors: the message for 404 {"detail": ...}.
ks::result<page_window, std::string> page_for(const parsed_target& target, std::size_t count);

// {"count", "next", "previous", "results"}; base_url is scheme://host.
boost::json::object page_envelope(std::size_t count, const page_window& window, const std::string& base_url,
                                  const parsed_target& target, boost::json::array results);

}  // namespace kizen_emulator
