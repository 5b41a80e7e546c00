#include "daemon/engine/inbound/record_applier.hpp"

#include "common/log_line.hpp"
#include "common/uuid_text.hpp"
#include "daemon/engine/inbound/record_query.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>

namespace ks::engine {

namespace net = boost::asio;

namespace {

using entity_keys = std::map<std::pair<std::string, std::string>, std::string>;  // (object, entity) → key

bool pulls(const config::object_mapping& m) { return m.direction != config::sync_direction::to_kizen; }

}  // namespace

record_applier::record_applier(inbound_context context, record_applier_settings settings)
    : ctx_(std::move(context)),
      settings_(settings),
      identities_(ctx_.schema),
      writer_(ctx_.schema, ctx_.logger, settings.writes) {
  ctx_.metrics.describe("kizen_sync_records_pulled_total", metrics_sink::kind::counter,
                        "Kizen records written to the tables.");
  ctx_.metrics.describe("kizen_sync_pull_failures_total", metrics_sink::kind::counter,
                        "Kizen records or pulls that failed.");
}

net::awaitable<std::optional<std::vector<std::string>>> record_applier::full_list(const std::string& entity_id,
                                                                                  const std::string& field_id) {
  std::vector<std::string> ids;
  for (int page = 1;; ++page) {
    auto r = co_await ctx_.client.field_values(entity_id, field_id, page, {}, settings_.page_size);
    if (!r) {
      ctx_.logger->warn(log_line("cannot read a summarized relationship in full",
                                 {{"entity_id", entity_id}, {"field_id", field_id}, {"error", r.error().message}}));
      co_return std::nullopt;
    }
    for (const auto& v : r->results) ids.push_back(normalize_uuid(v.id));
    if (!r->next || r->results.empty()) co_return ids;
  }
}

net::awaitable<inbound_stats> record_applier::apply(const object_binding& object,
                                                    const std::vector<kizen::record>& records,
                                                    std::optional<std::pair<kizen::timestamp, std::string>> cursor_to,
                                                    int depth) {
  // 1. Relationships with more values than Kizen returns inline: fetch them in full.
  std::vector<full_lists> lists(records.size());
  std::vector<bool> unreadable(records.size(), false);
  for (std::size_t i = 0; i < records.size(); ++i) {
    for (const auto* f : summarized_fields(object, records[i])) {
      auto ids = co_await full_list(records[i].id, f->field.id);
      if (!ids)
        unreadable[i] = true;
      else
        lists[i][f->field.id] = std::move(*ids);
    }
  }

  // 2. Referenced records: their rows' keys from the identity map; unknown ones pulled first.
  std::vector<record_reference> refs;
  for (std::size_t i = 0; i < records.size(); ++i)
    for (auto& r : references_of(object, records[i], lists[i]))
      if (std::find(refs.begin(), refs.end(), r) == refs.end()) refs.push_back(std::move(r));
  auto lookup_keys = [&]() -> net::awaitable<entity_keys> {
    co_return co_await ctx_.pool.run([&](pqxx::connection& conn) {
      pqxx::read_transaction tx(conn);
      entity_keys keys;
      for (const auto& r : refs)
        if (auto id = identities_.find_by_entity(tx, r.object, r.entity_id)) keys[{r.object, r.entity_id}] = id->key;
      return keys;
    });
  };
  entity_keys keys;
  if (!refs.empty()) keys = co_await lookup_keys();
  if (!refs.empty() && depth < settings_.reference_depth) {
    bool pulled = false;
    for (const auto& r : refs) {
      if (keys.count({r.object, r.entity_id})) continue;
      const auto it = ctx_.bindings.find(r.object);
      if (it == ctx_.bindings.end() || !pulls(*it->second.mapping)) continue;
      auto rec = co_await ctx_.client.get_record(r.object, r.entity_id, records_query(it->second, "", 1).field_names);
      if (!rec) continue;  // archived or unreachable: the reference stays unresolved (reported)
      // Named, not a braced temporary: GCC 12 rejects initializer lists inside co_await operands.
      const std::vector<kizen::record> one{std::move(*rec)};
      co_await apply(it->second, one, std::nullopt, depth + 1);
      pulled = true;
    }
    if (pulled) keys = co_await lookup_keys();
  }

  // 3. Translate and write.
  const row_key_lookup lookup = [&keys](const record_reference& r) -> std::optional<std::string> {
    const auto it = keys.find({r.object, r.entity_id});
    if (it == keys.end()) return std::nullopt;
    return it->second;
  };
  std::vector<translated_record> translated;
  translated.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    translated.push_back(translate_record(object, records[i], lookup, lists[i]));
    if (unreadable[i]) translated.back().problems.push_back("a summarized relationship could not be read in full");
    for (const auto& r : translated.back().unresolved)
      ctx_.logger->warn(
          log_line("reference to a record with no row; the column stays empty", {{"object", object.mapping->object},
                                                                                 {"entity_id", records[i].id},
                                                                                 {"references", r.object},
                                                                                 {"referenced_id", r.entity_id}}));
  }
  auto stats = co_await ctx_.pool.run(
      [&](pqxx::connection& conn) { return writer_.write(conn, object, records, translated, cursor_to); });
  ctx_.metrics.add("kizen_sync_records_pulled_total", {{"object", object.mapping->object}},
                   static_cast<double>(stats.written));
  if (stats.failed > 0)
    ctx_.metrics.add("kizen_sync_pull_failures_total", {{"object", object.mapping->object}},
                     static_cast<double>(stats.failed));
  co_return stats;
}

}  // namespace ks::engine
