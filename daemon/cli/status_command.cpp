// `kizen-sync status`: what is queued, stuck and synced, per object (read-only).
#include "daemon/cli/commands.hpp"

#include "connectors/kizen/timestamp.hpp"
#include "connectors/postgres/cursor_store.hpp"
#include "connectors/postgres/identity_store.hpp"
#include "connectors/postgres/inbound_failure_store.hpp"
#include "connectors/postgres/migrator.hpp"
#include "connectors/postgres/outbox_store.hpp"
#include "connectors/postgres/pause_store.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <pqxx/pqxx>
#include <sstream>

namespace ks::cli {

namespace json = boost::json;

namespace {

constexpr int dead_letters_shown = 20;

struct object_report {
  std::string object;
  bool configured = true;
  pg::outbox_object_status outbox;
  std::int64_t mapped = 0;
  pg::pull_cursor cursor;
  bool pulls = false;
  std::vector<pg::dead_letter> dead_letters;
  pg::inbound_failure_summary failures;
  std::vector<pg::inbound_failure> failure_list;
};

std::string age(std::optional<double> seconds) {
  if (!seconds) return "-";
  auto s = static_cast<long long>(*seconds);
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%llds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  else if (s < 86400)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  else
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", s / 86400, (s % 86400) / 3600);
  return buf;
}

std::optional<double> seconds_since(const std::optional<pg::timestamp>& t) {
  if (!t) return std::nullopt;
  return std::chrono::duration<double>(std::chrono::system_clock::now() - *t).count();
}

std::string when(const std::optional<pg::timestamp>& t) {
  return t ? kizen::format_timestamp(*t) : std::string("never");
}

// A pause not refreshed for this long is a daemon that died paused (probes come at least a minute apart).
constexpr std::chrono::seconds pause_freshness{180};

json::array pauses_json(const std::vector<pg::outbound_pause>& pauses) {
  json::array out;
  for (const auto& p : pauses)
    out.push_back({{"daemon", p.owner},
                   {"since", kizen::format_timestamp(p.since)},
                   {"paused_seconds", std::chrono::duration<double>(std::chrono::system_clock::now() - p.since).count()},
                   {"reason", p.reason}});
  return out;
}

void print_pauses(const std::vector<pg::outbound_pause>& pauses, std::ostream& out) {
  for (const auto& p : pauses)
    out << "outbound PAUSED on " << p.owner << " since " << kizen::format_timestamp(p.since) << " ("
        << age(std::chrono::duration<double>(std::chrono::system_clock::now() - p.since).count())
        << "): Kizen unavailable: " << p.reason << " (probing; resumes by itself)\n";
  if (!pauses.empty()) out << "\n";
}

json::value to_json(const object_report& r) {
  auto optional_number = [](std::optional<double> v) { return v ? json::value(*v) : json::value(nullptr); };
  auto optional_time = [](const std::optional<pg::timestamp>& t) {
    return t ? json::value(kizen::format_timestamp(*t)) : json::value(nullptr);
  };
  json::array failed_records;
  for (const auto& f : r.failure_list)
    failed_records.push_back({{"entity_id", f.entity_id},
                              {"reason", f.reason},
                              {"attempts", f.attempts},
                              {"kizen_updated", optional_time(f.kizen_updated)},
                              {"first_failed_at", kizen::format_timestamp(f.first_failed_at)},
                              {"next_attempt_at", kizen::format_timestamp(f.next_attempt_at)}});
  json::object failed{{"count", r.failures.count},
                      {"oldest_seconds", optional_number(seconds_since(r.failures.oldest))},
                      {"last_reason", r.failures.count ? json::value(r.failures.last_reason) : json::value(nullptr)},
                      {"records", std::move(failed_records)}};
  json::array dead;
  for (const auto& d : r.dead_letters) {
    dead.push_back({{"id", d.id},
                    {"key", d.key},
                    {"op", d.op},
                    {"attempts", d.attempts},
                    {"http_status", d.http_status ? json::value(*d.http_status) : json::value(nullptr)},
                    {"error", d.last_error},
                    {"created_at", kizen::format_timestamp(d.created_at)}});
  }
  return {{"object", r.object},
          {"configured", r.configured},
          {"backlog", r.outbox.pending},
          {"oldest_pending_seconds", optional_number(r.outbox.oldest_pending_seconds)},
          {"in_flight", r.outbox.in_flight_keys},
          {"dead", r.outbox.dead},
          {"blocked_by_dead", r.outbox.blocked},
          {"applied_last_hour", r.outbox.applied_last_hour},
          {"mapped_records", r.mapped},
          {"pulls", r.pulls},
          {"last_pull_at", optional_time(r.cursor.last_pull_at)},
          {"last_pull_error", r.cursor.last_pull_error ? json::value(*r.cursor.last_pull_error) : json::value(nullptr)},
          {"pull_lag_seconds", optional_number(seconds_since(r.cursor.last_pull_at))},
          {"cursor",
           {{"updated", optional_time(r.cursor.updated)},
            {"id", r.cursor.id ? json::value(*r.cursor.id) : json::value(nullptr)}}},
          {"records_pulled", r.cursor.records_pulled},
          {"dead_letters", std::move(dead)},
          {"inbound_failures", std::move(failed)}};
}

void print_table(const std::vector<object_report>& reports, std::ostream& out) {
  out << std::left << std::setw(20) << "OBJECT" << std::setw(9) << "BACKLOG" << std::setw(9) << "OLDEST"
      << std::setw(11) << "IN-FLIGHT" << std::setw(7) << "DEAD" << std::setw(9) << "MAPPED" << std::setw(26)
      << "LAST PULL"
      << "PULL LAG\n";
  for (const auto& r : reports) {
    out << std::setw(20) << (r.configured ? r.object : r.object + " (!)") << std::setw(9) << r.outbox.pending
        << std::setw(9) << age(r.outbox.oldest_pending_seconds) << std::setw(11) << r.outbox.in_flight_keys
        << std::setw(7) << r.outbox.dead << std::setw(9) << r.mapped << std::setw(26)
        << (r.pulls ? when(r.cursor.last_pull_at) : std::string("(not pulled)"))
        << (r.pulls ? age(seconds_since(r.cursor.last_pull_at)) : std::string("-")) << "\n";
  }
  bool any_unconfigured = false;
  for (const auto& r : reports) any_unconfigured = any_unconfigured || !r.configured;
  if (any_unconfigured) out << "(!) changes queued for an object that is no longer in the config\n";
  for (const auto& r : reports) {
    if (r.cursor.last_pull_error)
      out << "\n" << r.object << ": last pull failed: " << *r.cursor.last_pull_error << "\n";
    if (r.failures.count > 0) {
      out << "\n"
          << r.object << ": " << r.failures.count << " Kizen record" << (r.failures.count == 1 ? "" : "s")
          << " not applied (inbound failure list, oldest " << age(seconds_since(r.failures.oldest))
          << "; retried by themselves; `kizen-sync replay --inbound` retries or drops them)\n";
      for (const auto& f : r.failure_list)
        out << "  record " << f.entity_id << ", " << f.attempts << " attempt" << (f.attempts == 1 ? "" : "s") << ": "
            << f.reason << "\n";
      if (r.failures.count > static_cast<std::int64_t>(r.failure_list.size()))
        out << "  ... and " << r.failures.count - static_cast<std::int64_t>(r.failure_list.size()) << " more\n";
    }
    if (r.dead_letters.empty()) continue;
    out << "\n" << r.object << ": " << r.outbox.dead << " dead letter" << (r.outbox.dead == 1 ? "" : "s");
    if (r.outbox.blocked)
      out << " holding back " << r.outbox.blocked << " later change" << (r.outbox.blocked == 1 ? "" : "s");
    out << " (fix the cause, then `kizen-sync replay`)\n";
    for (const auto& d : r.dead_letters) {
      out << "  #" << d.id << " key " << d.key << " " << d.op << ", " << d.attempts << " attempt"
          << (d.attempts == 1 ? "" : "s");
      if (d.http_status) out << ", HTTP " << *d.http_status;
      out << ": " << d.last_error << "\n";
    }
    if (r.outbox.dead > static_cast<std::int64_t>(r.dead_letters.size()))
      out << "  ... and " << r.outbox.dead - static_cast<std::int64_t>(r.dead_letters.size()) << " more\n";
  }
}

}  // namespace

int status_command(const command_line& line) {
  const auto cfg = load_config_reporting(line.config_path, std::cerr);
  if (!cfg) return exit_usage;
  auto conn = connect_postgres(*cfg, "status");
  if (!conn) return exit_failure;
  if (!pg::migrator().pending_migrations(*conn, cfg->postgres.schema).empty()) {
    std::cerr << "kizen-sync status: the sync schema '" << cfg->postgres.schema
              << "' is missing or outdated: run `kizen-sync migrate -c " << line.config_path << "`\n";
    return exit_failure;
  }
  pqxx::read_transaction tx(*conn);
  pg::outbox_store outbox(cfg->postgres.schema);
  pg::identity_store identities(cfg->postgres.schema);
  pg::cursor_store cursors(cfg->postgres.schema);

  std::vector<object_report> reports;
  for (const auto& m : cfg->objects) {
    object_report r;
    r.object = m.object;
    r.outbox.object = m.object;
    r.pulls = m.direction != config::sync_direction::to_kizen;
    reports.push_back(std::move(r));
  }
  for (auto& s : outbox.status(tx)) {
    auto it =
        std::find_if(reports.begin(), reports.end(), [&](const object_report& r) { return r.object == s.object; });
    if (it == reports.end()) {
      object_report r;
      r.object = s.object;
      r.configured = false;
      reports.push_back(std::move(r));
      it = std::prev(reports.end());
    }
    it->outbox = s;
  }
  pg::inbound_failure_store failures(cfg->postgres.schema);
  const auto failure_summary = failures.summary(tx);
  for (auto& r : reports) {
    r.mapped = identities.count(tx, r.object);
    r.cursor = cursors.get(tx, r.object);
    if (r.outbox.dead > 0) r.dead_letters = outbox.dead_letters(tx, r.object, dead_letters_shown);
    for (const auto& f : failure_summary)
      if (f.object == r.object) r.failures = f;
    if (r.failures.count > 0) r.failure_list = failures.list(tx, r.object, dead_letters_shown);
  }
  const auto pauses = pg::pause_store(cfg->postgres.schema).live(tx, pause_freshness);
  if (line.json) {
    json::array objects;
    for (const auto& r : reports) objects.push_back(to_json(r));
    std::cout << json::serialize(json::object{{"schema", cfg->postgres.schema},
                                              {"outbound_paused", pauses_json(pauses)},
                                              {"objects", std::move(objects)}})
              << "\n";
  } else {
    print_pauses(pauses, std::cout);
    print_table(reports, std::cout);
  }
  return exit_ok;
}

}  // namespace ks::cli
