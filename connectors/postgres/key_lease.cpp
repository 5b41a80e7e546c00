#include "connectors/postgres/key_lease.hpp"

#include "connectors/postgres/sql_quote.hpp"
#include "connectors/postgres/values.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <pqxx/result>

#include <algorithm>
#include <limits>
#include <utility>

namespace ks::pg {

namespace {

// Keys travel as JSON text and are unpacked in SQL, so no value is ever pasted into a query.
std::string keys_json(const std::vector<key_ref>& keys) {
  boost::json::array a;
  for (const auto& k : keys) a.push_back(boost::json::object{{"object", k.object}, {"key", k.key}});
  return boost::json::serialize(a);
}

std::string leases_json(const std::vector<leased_key>& keys) {
  boost::json::array a;
  for (const auto& k : keys)
    a.push_back(boost::json::object{{"object", k.key.object}, {"key", k.key.key}, {"epoch", k.epoch}});
  return boost::json::serialize(a);
}

}  // namespace

key_lease::key_lease(const std::string& schema)
    : table_(qualified_name(schema, "outbox_keys")), epochs_(qualified_name(schema, "lease_epochs")) {}

std::vector<leased_key> key_lease::claim(pqxx::transaction_base& tx, int limit,
                                         const std::vector<std::string>& objects, const std::vector<key_ref>& skip,
                                         std::chrono::milliseconds length, const std::string& owner) const {
  std::vector<leased_key> out;
  if (limit <= 0 || objects.empty()) return out;
  const auto r = tx.exec_params(
      "WITH picked AS ("
      "  SELECT c.object, c.key FROM " +
          table_ +
          " c"
          "   WHERE c.claim_at <= clock_timestamp()"
          "     AND c.object = ANY(ARRAY(SELECT jsonb_array_elements_text($3::jsonb)))"
          "     AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($2::jsonb) AS s(object text, key text)"
          "                     WHERE s.object = c.object AND s.key = c.key)"
          "   ORDER BY c.claim_at LIMIT $1 FOR UPDATE OF c SKIP LOCKED)"
          " UPDATE " +
          table_ +
          " k SET lease_epoch = nextval('" + epochs_ +
          "'), lease_until = clock_timestamp() + $4::bigint * interval '1 millisecond', lease_owner = $5"
          " FROM picked WHERE k.object = picked.object AND k.key = picked.key"
          " RETURNING k.object, k.key, k.lease_epoch, " +
          micros_from_timestamp_sql("k.due_at"),
      limit, keys_json(skip), boost::json::serialize(boost::json::value_from(objects)),
      static_cast<std::int64_t>(length.count()), owner);
  // UPDATE returns its rows in no set order: the earliest due go to work first.
  std::vector<std::pair<std::int64_t, leased_key>> due;
  due.reserve(r.size());
  for (const auto& row : r)
    due.emplace_back(row[3].is_null() ? std::numeric_limits<std::int64_t>::max() : row[3].as<std::int64_t>(),
                     leased_key{{row[0].as<std::string>(), row[1].as<std::string>()}, row[2].as<std::int64_t>()});
  std::stable_sort(due.begin(), due.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  out.reserve(due.size());
  for (auto& d : due) out.push_back(std::move(d.second));
  return out;
}

void key_lease::release(pqxx::transaction_base& tx, const std::vector<leased_key>& keys) const {
  if (keys.empty()) return;
  tx.exec_params("UPDATE " + table_ +
                     " k SET lease_until = NULL FROM jsonb_to_recordset($1::jsonb) AS r(object text, key text, epoch "
                     "bigint) WHERE k.object = r.object AND k.key = r.key AND k.lease_epoch = r.epoch",
                 leases_json(keys));
}

void key_lease::hold_back(pqxx::transaction_base& tx, const leased_key& key, std::chrono::milliseconds delay) const {
  tx.exec_params("UPDATE " + table_ +
                     " SET lease_until = clock_timestamp() + $4::bigint * interval '1 millisecond'"
                     " WHERE object = $1 AND key = $2 AND lease_epoch = $3",
                 key.key.object, key.key.key, key.epoch, static_cast<std::int64_t>(delay.count()));
}

bool key_lease::settle(pqxx::transaction_base& tx, const leased_key& key) const {
  const auto r = tx.exec_params("UPDATE " + table_ +
                                    " SET lease_until = NULL WHERE object = $1 AND key = $2 AND lease_epoch = $3",
                                key.key.object, key.key.key, key.epoch);
  return r.affected_rows() == 1;
}

bool key_lease::busy(pqxx::transaction_base& tx, const key_ref& key) const {
  const auto r = tx.exec_params("SELECT lease_until > clock_timestamp() FROM " + table_ +
                                    " WHERE object = $1 AND key = $2 FOR SHARE",
                                key.object, key.key);
  return !r.empty() && !r[0][0].is_null() && r[0][0].as<bool>();
}

}  // namespace ks::pg
