#pragma once
// A walk over one object's records in the order of a timestamp field (`updated` for pulls,
// `created` for reconciles and resyncs) that misses none while they change. Kizen's `next` links
// are offset pages: a record updated during the walk moves to the end and shifts every later one
// back a slot, so the record at a page boundary is never returned. Here each page is a fresh
// search from the last timestamp met (`field >= T`), and the records already met at T are
// recognised by id. Only where a whole page shares one instant does it page by offset, within
// that instant (`field = T`), restarting the instant when its count changes (a record left it),
// then goes on after it (`field > T`). Requests: about N / page size; memory: the ids at one
// instant. Sans-I/O: the caller sends each search and hands back the page.

#include "connectors/kizen/page.hpp"
#include "connectors/kizen/record.hpp"
#include "connectors/kizen/search_query.hpp"
#include "connectors/kizen/timestamp.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ks::engine {

struct keyset_limits {
  int page_size = 100;
  // Restarts of one instant's offset walk (its count changed between pages) before giving up.
  int instant_restarts = 5;
};

// The search to send next: the filter on the walk's field (none: from the first record) and the
// page (1 but inside an instant).
struct keyset_search {
  std::optional<kizen::search_filter> filter;
  int page = 1;
};

class keyset_walk {
 public:
  // `from`: the first timestamp wanted (inclusive); nullopt = from the oldest record.
  keyset_walk(std::string field, std::optional<kizen::timestamp> from, keyset_limits limits = {});

  bool done() const { return done_; }
  // Set when the walk gave up (an instant that kept changing, a page that repeated): the records
  // not met yet wait for the next walk, which starts where this one stopped.
  const std::string& problem() const { return problem_; }
  // Valid while !done().
  keyset_search next() const;
  // The answer to next(): the records not met before in this walk, in page order.
  std::vector<kizen::record> take(const kizen::page<kizen::record>& page);

  std::int64_t requests() const { return requests_; }
  // The latest timestamp met so far (where a walk that stopped here would go on).
  const std::optional<kizen::timestamp>& position() const { return at_; }

 private:
  enum class mode { from_start, at_or_after, within_instant, after };
  std::optional<kizen::timestamp> key_of(const kizen::record& r) const;
  std::vector<kizen::record> take_ordered(const kizen::page<kizen::record>& page);
  std::vector<kizen::record> take_instant(const kizen::page<kizen::record>& page);
  void give_up(std::string why);

  std::string field_;
  keyset_limits limits_;
  mode mode_;
  std::optional<kizen::timestamp> at_;  // T
  std::set<std::string> met_at_;        // ids met whose timestamp is T
  int instant_page_ = 1;
  std::int64_t instant_count_ = -1;
  int instant_restarts_ = 0;
  std::vector<std::string> previous_ids_;  // the last instant page's, to notice a repeat
  bool done_ = false;
  std::string problem_;
  std::int64_t requests_ = 0;
};

}  // namespace ks::engine
