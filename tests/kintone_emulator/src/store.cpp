#include "store.hpp"

#include <boost/json.hpp>
#include <stdexcept>

namespace kintone_emulator {

boost::json::object user_ref::to_json() const { return {{"code", code}, {"name", name}}; }

store::store(const schema& s) : schema_(s) { clear(); }

const record_map& store::records(std::int64_t app) const {
  const auto it = apps_.find(app);
  if (it == apps_.end()) throw std::logic_error("no app " + std::to_string(app));
  return it->second.records;
}

record_map& store::records(std::int64_t app) {
  const auto it = apps_.find(app);
  if (it == apps_.end()) throw std::logic_error("no app " + std::to_string(app));
  return it->second.records;
}

const stored_record* store::find(std::int64_t app, std::int64_t id) const {
  const auto& recs = records(app);
  const auto it = recs.find(id);
  return it == recs.end() ? nullptr : &it->second;
}

std::int64_t store::next_id(std::int64_t app) const { return apps_.at(app).next_id; }
void store::set_next_id(std::int64_t app, std::int64_t next) { apps_.at(app).next_id = next; }
std::int64_t store::take_id(std::int64_t app) { return apps_.at(app).next_id++; }

void store::clear() {
  apps_.clear();
  for (const auto& a : schema_.apps) apps_[a.id];
  next_row_id_ = 1;
}

}  // namespace kintone_emulator
