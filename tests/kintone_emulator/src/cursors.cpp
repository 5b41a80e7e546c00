#include "cursors.hpp"

#include <boost/json.hpp>
#include <cstdio>

#include "time_format.hpp"

namespace kintone_emulator {

namespace json = boost::json;

void cursor_registry::expire(std::int64_t now_ms) {
  for (auto it = cursors_.begin(); it != cursors_.end();) {
    if (it->second.expires_ms <= now_ms)
      it = cursors_.erase(it);
    else
      ++it;
  }
}

std::optional<std::string> cursor_registry::create(std::int64_t app, json::array records, std::size_t size,
                                                   std::int64_t now_ms) {
  expire(now_ms);
  if (cursors_.size() >= max_live) return std::nullopt;
  // Kintone's cursor ids look like UUIDs.
  char id[40];
  const auto a = rng_(), b = rng_();
  std::snprintf(id, sizeof id, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(0x4000 | (a & 0x0fff)),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  cursor c;
  c.id = id;
  c.app = app;
  c.records = std::move(records);
  c.size = size;
  c.created_ms = now_ms;
  c.expires_ms = now_ms + lifetime_ms;
  cursors_[c.id] = std::move(c);
  return std::string(id);
}

std::optional<std::int64_t> cursor_registry::app_of(const std::string& id, std::int64_t now_ms) {
  expire(now_ms);
  const auto it = cursors_.find(id);
  if (it == cursors_.end()) return std::nullopt;
  return it->second.app;
}

std::optional<cursor_page> cursor_registry::read(const std::string& id, std::int64_t now_ms) {
  expire(now_ms);
  const auto it = cursors_.find(id);
  if (it == cursors_.end()) return std::nullopt;
  cursor& c = it->second;
  cursor_page page;
  const std::size_t end = std::min(c.records.size(), c.position + c.size);
  for (std::size_t i = c.position; i < end; ++i) page.records.push_back(c.records[i]);
  c.position = end;
  page.next = c.position < c.records.size();
  if (page.next)
    c.expires_ms = now_ms + lifetime_ms;
  else
    cursors_.erase(it);
  return page;
}

bool cursor_registry::remove(const std::string& id, std::int64_t now_ms) {
  expire(now_ms);
  return cursors_.erase(id) > 0;
}

std::size_t cursor_registry::live(std::int64_t now_ms) {
  expire(now_ms);
  return cursors_.size();
}

json::array cursor_registry::describe(std::int64_t now_ms) {
  expire(now_ms);
  json::array out;
  for (const auto& [id, c] : cursors_)
    out.push_back(json::object{{"id", id},
                               {"app", std::to_string(c.app)},
                               {"size", c.size},
                               {"total", c.records.size()},
                               {"remaining", c.records.size() - c.position},
                               {"created", format_datetime(c.created_ms)},
                               {"expires", format_datetime(c.expires_ms)},
                               {"expires_ms", c.expires_ms}});
  return out;
}

}  // namespace kintone_emulator
