#pragma once
// Cursors of the domain. A cursor holds a snapshot of the rendered records its query matched at
// creation and hands them out `size` at a time. At most 10 live cursors per domain; a cursor
// expires 10 minutes after creation or after its last read (on the emulator clock) and is
// deleted once its last page has been read.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>

namespace kintone_emulator {

struct cursor {
  std::string id;
  std::int64_t app = 0;
  boost::json::array records;  // rendered, in query order
  std::size_t position = 0;
  std::size_t size = 100;
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
};

struct cursor_page {
  boost::json::array records;
  bool next = false;
};

class cursor_registry {
 public:
  static constexpr std::size_t max_live = 10;
  static constexpr std::int64_t lifetime_ms = 10 * 60 * 1000;

  explicit cursor_registry(std::uint64_t seed = 0) : rng_(seed) {}

  // nullopt when 10 cursors are live already.
  std::optional<std::string> create(std::int64_t app, boost::json::array records, std::size_t size,
                                    std::int64_t now_ms);
  // The app of a live cursor (for permission checks), or nullopt.
  std::optional<std::int64_t> app_of(const std::string& id, std::int64_t now_ms);
  // The next page; the cursor is removed after its last page. nullopt: unknown or expired.
  std::optional<cursor_page> read(const std::string& id, std::int64_t now_ms);
  bool remove(const std::string& id, std::int64_t now_ms);

  std::size_t live(std::int64_t now_ms);
  boost::json::array describe(std::int64_t now_ms);  // for /__emulator/cursors
  void clear() { cursors_.clear(); }

 private:
  void expire(std::int64_t now_ms);

  std::map<std::string, cursor> cursors_;
  std::mt19937_64 rng_;
};

}  // namespace kintone_emulator
