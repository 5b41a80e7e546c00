#include "daemon/engine/inbound/keyset_walk.hpp"

#include "common/uuid_text.hpp"

#include <boost/json/value.hpp>
#include <utility>

namespace ks::engine {

keyset_walk::keyset_walk(std::string field, std::optional<kizen::timestamp> from, keyset_limits limits)
    : field_(std::move(field)), limits_(limits), mode_(from ? mode::at_or_after : mode::from_start), at_(from) {
  if (limits_.page_size < 1) limits_.page_size = 1;
}

std::optional<kizen::timestamp> keyset_walk::key_of(const kizen::record& r) const {
  return field_ == "created" ? r.created : r.updated;
}

keyset_search keyset_walk::next() const {
  keyset_search s;
  const auto at = [&](const char* condition) {
    return kizen::search_filter::builtin(field_, condition, boost::json::value(kizen::format_timestamp(*at_)));
  };
  switch (mode_) {
    case mode::from_start: break;
    case mode::at_or_after: s.filter = at(">="); break;
    case mode::within_instant:
      s.filter = at("=");
      s.page = instant_page_;
      break;
    case mode::after: s.filter = at(">"); break;
  }
  return s;
}

void keyset_walk::give_up(std::string why) {
  done_ = true;
  problem_ = std::move(why);
}

std::vector<kizen::record> keyset_walk::take(const kizen::page<kizen::record>& page) {
  ++requests_;
  if (done_) return {};
  return mode_ == mode::within_instant ? take_instant(page) : take_ordered(page);
}

// A fresh search from T: the records not met yet; T moves to the page's latest timestamp.
std::vector<kizen::record> keyset_walk::take_ordered(const kizen::page<kizen::record>& page) {
  std::vector<kizen::record> fresh;
  std::optional<kizen::timestamp> latest = at_;
  for (const auto& r : page.results) {
    const auto key = key_of(r);
    if (key && (!latest || *key > *latest)) latest = key;
  }
  for (const auto& r : page.results) {
    const auto key = key_of(r);
    const bool at_t = key && at_ && *key == *at_;
    if (at_t && met_at_.count(normalize_uuid(r.id))) continue;  // met on an earlier page
    fresh.push_back(r);
  }
  if (latest != at_) met_at_.clear();
  at_ = latest;
  for (const auto& r : page.results)
    if (const auto key = key_of(r); key && at_ && *key == *at_) met_at_.insert(normalize_uuid(r.id));
  if (!at_ && !page.results.empty()) {
    give_up("the records of the search carry no " + field_);
    return fresh;
  }
  const bool was_after = mode_ == mode::after;
  if (mode_ == mode::after || mode_ == mode::from_start) mode_ = mode::at_or_after;

  const bool full = static_cast<int>(page.results.size()) >= limits_.page_size && page.next;
  if (!full) {
    done_ = true;  // nothing beyond this page (what changes from now on is for the next walk)
  } else if (fresh.empty() && was_after) {
    // Nothing new after an instant: the server's timestamps are finer than the filters'.
    give_up("the search for " + field_ + " > " + kizen::format_timestamp(*at_) + " brought no new record");
  } else if (fresh.empty()) {
    // A whole page at T, every record met: more than a page shares this instant. Walk it.
    mode_ = mode::within_instant;
    instant_page_ = 1;
    instant_count_ = -1;
    instant_restarts_ = 0;
    previous_ids_.clear();
  }
  return fresh;
}

// One offset page of the records at exactly T. A change of their count means a record left (or
// joined) the instant and the offsets shifted: start the instant again.
std::vector<kizen::record> keyset_walk::take_instant(const kizen::page<kizen::record>& page) {
  std::vector<std::string> ids;
  for (const auto& r : page.results) ids.push_back(normalize_uuid(r.id));
  if (instant_page_ > 1 && !ids.empty() && ids == previous_ids_) {
    give_up("the search for " + field_ + " = " + kizen::format_timestamp(*at_) + " returned page " +
            std::to_string(instant_page_) + " twice");
    return {};
  }
  previous_ids_ = ids;
  if (instant_page_ == 1 && ids.empty()) {
    // A page of records at T came before: timestamps finer than the filter's milliseconds?
    give_up("the search for " + field_ + " = " + kizen::format_timestamp(*at_) + " found none of its records");
    return {};
  }
  std::vector<kizen::record> fresh;
  for (std::size_t i = 0; i < page.results.size(); ++i)
    if (met_at_.insert(ids[i]).second) fresh.push_back(page.results[i]);

  bool restart = false;
  if (instant_count_ < 0) {
    instant_count_ = page.count;
  } else if (page.count != instant_count_) {
    if (++instant_restarts_ > limits_.instant_restarts) {
      give_up("the records at " + field_ + " = " + kizen::format_timestamp(*at_) + " kept changing while walked (" +
              std::to_string(limits_.instant_restarts) + " restarts)");
      return fresh;
    }
    instant_count_ = page.count;
    restart = true;
  }
  // Bounded: never more pages than the instant's count needs.
  const std::int64_t pages_needed = (instant_count_ + limits_.page_size - 1) / limits_.page_size;
  if (restart) {
    instant_page_ = 1;
    previous_ids_.clear();
  } else if (page.next && !page.results.empty() && instant_page_ < pages_needed) {
    ++instant_page_;
  } else {
    mode_ = mode::after;  // the instant is done: on after it
    met_at_.clear();
  }
  return fresh;
}

}  // namespace ks::engine
