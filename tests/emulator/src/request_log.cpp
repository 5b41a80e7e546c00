#include "request_log.hpp"

#include <boost/json.hpp>

namespace kizen_emulator {

namespace json = boost::json;

void request_log::add(logged_request entry) {
  entry.seq = next_seq_++;
  ++counts_[entry.method + " " + (entry.path_template.empty() ? entry.path : entry.path_template)];
  if (limit_ == 0) return;
  if (entries_.size() >= limit_) entries_.pop_front();
  entries_.push_back(std::move(entry));
}

void request_log::clear() {
  entries_.clear();
  counts_.clear();
  next_seq_ = 1;
}

json::object request_log::to_json(std::uint64_t since) const {
  json::array list;
  for (const auto& e : entries_) {
    if (e.seq <= since) continue;
    json::object item{
        {"seq", e.seq},     {"method", e.method}, {"path", e.path},     {"path_template", e.path_template},
        {"query", e.query}, {"body", e.body},     {"status", e.status}, {"at", e.at}};
    item["fault"] = e.fault.empty() ? json::value(nullptr) : json::value(e.fault);
    list.push_back(std::move(item));
  }
  json::object counts;
  for (const auto& [k, v] : counts_) counts[k] = v;
  return json::object{{"total", total()}, {"requests", std::move(list)}, {"counts", std::move(counts)}};
}

}  // namespace kizen_emulator
