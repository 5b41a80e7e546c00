#include "request_log.hpp"

#include <boost/json.hpp>

namespace kintone_emulator {

namespace json = boost::json;

void request_log::add(logged_request entry) {
  entry.seq = next_seq_++;
  ++counts_[entry.effective + " " + entry.endpoint];
  entries_.push_back(std::move(entry));
  while (entries_.size() > limit_) entries_.pop_front();
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
    list.push_back(json::object{{"seq", e.seq},
                                {"method", e.method},
                                {"effective_method", e.effective},
                                {"path", e.path},
                                {"endpoint", e.endpoint},
                                {"app", e.app ? json::value(e.app) : json::value(nullptr)},
                                {"body", e.body},
                                {"status", e.status ? json::value(e.status) : json::value(nullptr)},
                                {"code", e.code.empty() ? json::value(nullptr) : json::value(e.code)},
                                {"fault", e.fault.empty() ? json::value(nullptr) : json::value(e.fault)},
                                {"at", e.at}});
  }
  json::object counts;
  for (const auto& [k, n] : counts_) counts[k] = n;
  return json::object{{"total", next_seq_ - 1}, {"requests", std::move(list)}, {"counts", std::move(counts)}};
}

}  // namespace kintone_emulator
