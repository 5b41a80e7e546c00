#include "pagination.hpp"

#include <boost/json.hpp>
#include <charconv>

namespace kizen_emulator {

namespace json = boost::json;

namespace {

std::optional<std::size_t> positive(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  std::size_t v = 0;
  const auto r = std::from_chars(text->data(), text->data() + text->size(), v);
  if (r.ec != std::errc() || r.ptr != text->data() + text->size() || v == 0) return std::nullopt;
  return v;
}

std::string page_link(const std::string& base_url, const parsed_target& target, std::size_t page) {
  std::string out = base_url + target.path;
  char sep = '?';
  for (const auto& [k, v] : target.params) {
    if (k == "page") continue;
    out += sep;
    out += percent_encode(k) + "=" + percent_encode(v);
    sep = '&';
  }
  if (page > 1) out += sep + std::string("page=") + std::to_string(page);
  return out;
}

}  // namespace

ks::result<page_window, std::string> page_for(const parsed_target& target, std::size_t count) {
  page_window w;
  if (const auto size = positive(target.param("page_size"))) w.page_size = std::min(*size, max_page_size);
  const auto page_text = target.param("page");
  if (page_text) {
    const std::string& t = *page_text;
    const auto p =
        t == "last" ? std::optional<std::size_t>((count + w.page_size - 1) / w.page_size) : positive(page_text);
    if (!p) return ks::fail(std::string("Invalid page."));
    w.page = std::max<std::size_t>(*p, 1);
  }
  const std::size_t pages = count == 0 ? 1 : (count + w.page_size - 1) / w.page_size;
  if (w.page > pages) return ks::fail(std::string("Invalid page."));
  w.first = (w.page - 1) * w.page_size;
  w.last = std::min(count, w.first + w.page_size);
  return w;
}

json::object page_envelope(std::size_t count, const page_window& w, const std::string& base_url,
                           const parsed_target& target, json::array results) {
  json::object out;
  out["count"] = count;
  out["next"] = w.last < count ? json::value(page_link(base_url, target, w.page + 1)) : json::value(nullptr);
  out["previous"] = w.page > 1 ? json::value(page_link(base_url, target, w.page - 1)) : json::value(nullptr);
  out["results"] = std::move(results);
  return out;
}

}  // namespace kizen_emulator
