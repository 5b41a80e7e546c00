// keyset_walk against an in-memory search that behaves as Kizen's does (results ordered by the
// timestamp only, ties in creation order, offset pages with `count` and `next`), while records
// change between requests: none is missed, and the request count stays near N / page size.
#include "daemon/engine/inbound/keyset_walk.hpp"

#include <gtest/gtest.h>
#include <algorithm>
#include <functional>
#include <map>
#include <set>

using namespace ks::engine;
using ks::kizen::page;
using ks::kizen::record;
using ks::kizen::timestamp;

namespace {

timestamp at_ms(std::int64_t ms) { return timestamp(std::chrono::milliseconds(ms)); }

std::string id_of(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", n);
  return buf;
}

// The records of one object as the search sees them.
struct fake_search {
  struct row {
    std::string id;
    std::int64_t updated_ms;
  };
  std::vector<row> rows;  // creation order
  int page_size = 10;
  std::function<void(int request)> between;  // runs before each request (edits "meanwhile")
  int requests = 0;

  void add(int n, std::int64_t updated_ms) { rows.push_back({id_of(n), updated_ms}); }
  void touch(const std::string& id, std::int64_t updated_ms) {
    for (auto& r : rows)
      if (r.id == id) r.updated_ms = updated_ms;
  }

  page<record> answer(const keyset_search& s) {
    if (between) between(requests);
    ++requests;
    std::vector<const row*> hits;
    for (const auto& r : rows) {
      if (s.filter) {
        const auto t = ks::kizen::parse_timestamp(s.filter->value->as_string());
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
        const auto& c = s.filter->condition;
        if ((c == ">=" && !(r.updated_ms >= ms)) || (c == ">" && !(r.updated_ms > ms)) ||
            (c == "=" && r.updated_ms != ms))
          continue;
      }
      hits.push_back(&r);
    }
    std::stable_sort(hits.begin(), hits.end(), [](auto* a, auto* b) { return a->updated_ms < b->updated_ms; });
    page<record> p;
    p.count = static_cast<std::int64_t>(hits.size());
    const std::size_t first = static_cast<std::size_t>(s.page - 1) * static_cast<std::size_t>(page_size);
    for (std::size_t i = first; i < hits.size() && i < first + static_cast<std::size_t>(page_size); ++i) {
      record rec;
      rec.id = hits[i]->id;
      rec.updated = at_ms(hits[i]->updated_ms);
      p.results.push_back(rec);
    }
    if (first + static_cast<std::size_t>(page_size) < hits.size()) p.next = "page=" + std::to_string(s.page + 1);
    return p;
  }
};

// Walks to the end; returns how often each id was handed out.
std::map<std::string, int> walk_all(fake_search& server, keyset_walk& walk, int max_requests = 10'000) {
  std::map<std::string, int> met;
  while (!walk.done() && server.requests < max_requests)
    for (const auto& r : walk.take(server.answer(walk.next()))) ++met[r.id];
  EXPECT_LT(server.requests, max_requests) << "the walk did not end";
  return met;
}

}  // namespace

TEST(keyset_walk, distinct_times_each_record_once_in_about_n_over_page_size_requests) {
  fake_search server;
  for (int i = 0; i < 95; ++i) server.add(i, 1000 + i);
  keyset_walk walk("updated", std::nullopt, {.page_size = 10});
  const auto met = walk_all(server, walk);
  EXPECT_EQ(met.size(), 95u);
  for (const auto& [id, n] : met) EXPECT_EQ(n, 1) << id;
  // Each fresh search re-reads the last record met: 9 new per page.
  EXPECT_LE(server.requests, 95 / 9 + 2);
  EXPECT_TRUE(walk.problem().empty());
  EXPECT_EQ(walk.position(), at_ms(1094));
}

TEST(keyset_walk, a_walk_from_a_time_starts_there) {
  fake_search server;
  for (int i = 0; i < 30; ++i) server.add(i, 1000 + i);
  keyset_walk walk("updated", at_ms(1020), {.page_size = 10});
  const auto met = walk_all(server, walk);
  EXPECT_EQ(met.size(), 10u);
  EXPECT_EQ(met.count(id_of(19)), 0u);
  EXPECT_EQ(met.count(id_of(20)), 1u);
}

TEST(keyset_walk, records_updated_during_the_walk_shift_nothing_past_it) {
  // Offset pages would skip a record at each page boundary here: every request, one record
  // already met is updated and moves to the end.
  fake_search server;
  for (int i = 0; i < 200; ++i) server.add(i, 1000 + i);
  std::int64_t now = 5000;
  server.between = [&](int request) {
    if (request > 0 && request < 40) server.touch(id_of(request - 1), ++now);
  };
  keyset_walk walk("updated", std::nullopt, {.page_size = 10});
  const auto met = walk_all(server, walk);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(met.count(id_of(i)), 1u) << "record " << i << " was skipped";
}

TEST(keyset_walk, more_than_a_page_at_one_instant_all_come_through) {
  fake_search server;
  server.add(0, 900);
  for (int i = 1; i <= 35; ++i) server.add(i, 1000);  // 35 records, pages of 10, one instant
  for (int i = 36; i < 40; ++i) server.add(i, 1100 + i);
  keyset_walk walk("updated", std::nullopt, {.page_size = 10});
  const auto met = walk_all(server, walk);
  EXPECT_EQ(met.size(), 40u);
  EXPECT_TRUE(walk.problem().empty()) << walk.problem();
  EXPECT_LE(server.requests, 12);
}

TEST(keyset_walk, an_instant_that_shrinks_during_its_walk_is_walked_again) {
  fake_search server;
  for (int i = 0; i < 30; ++i) server.add(i, 1000);
  std::int64_t now = 5000;
  // While the instant is walked by offset, two of its records get updated (they leave it).
  server.between = [&](int request) {
    if (request == 3) server.touch(id_of(1), ++now);
    if (request == 5) server.touch(id_of(2), ++now);
  };
  keyset_walk walk("updated", std::nullopt, {.page_size = 10});
  const auto met = walk_all(server, walk);
  for (int i = 0; i < 30; ++i) EXPECT_GE(met.count(id_of(i)), 1u) << "record " << i << " was skipped";
  EXPECT_TRUE(walk.problem().empty()) << walk.problem();
}

TEST(keyset_walk, an_instant_that_keeps_changing_gives_up_and_says_so) {
  fake_search server;
  for (int i = 0; i < 100; ++i) server.add(i, 1000);
  int moved = 0;
  server.between = [&](int request) {
    if (request >= 3) server.touch(id_of(99 - moved++), 9000 + request);  // the set shrinks every time
  };
  keyset_walk walk("updated", std::nullopt, {.page_size = 10, .instant_restarts = 3});
  walk_all(server, walk);
  EXPECT_TRUE(walk.done());
  EXPECT_NE(walk.problem().find("kept changing"), std::string::npos) << walk.problem();
  EXPECT_EQ(walk.position(), at_ms(1000));  // the next walk starts at that instant again
}

TEST(keyset_walk, a_page_that_repeats_ends_the_walk_with_a_problem) {
  keyset_walk walk("updated", at_ms(1000), {.page_size = 2});
  // A full page at one instant: the walk pages within it.
  page<record> same;
  same.count = 6;
  same.next = "page=2";
  for (int i = 0; i < 2; ++i) {
    record r;
    r.id = id_of(i);
    r.updated = at_ms(1000);
    same.results.push_back(r);
  }
  walk.take(same);  // >= T: the first page
  walk.take(same);  // >= T again: nothing new, full: into the instant
  ASSERT_EQ(walk.next().filter->condition, "=");
  walk.take(same);  // = T, page 1
  ASSERT_EQ(walk.next().page, 2);
  walk.take(same);  // page 2 answers as page 1 did
  EXPECT_TRUE(walk.done());
  EXPECT_NE(walk.problem().find("twice"), std::string::npos) << walk.problem();
}

TEST(keyset_walk, created_order_for_reconciles) {
  keyset_walk walk("created", std::nullopt, {.page_size = 10});
  page<record> p;
  record r;
  r.id = id_of(1);
  r.created = at_ms(7);
  r.updated = at_ms(99);
  p.results.push_back(r);
  p.count = 1;
  EXPECT_FALSE(walk.next().filter.has_value());
  EXPECT_EQ(walk.take(p).size(), 1u);
  EXPECT_TRUE(walk.done());
  EXPECT_EQ(walk.position(), at_ms(7));
}
