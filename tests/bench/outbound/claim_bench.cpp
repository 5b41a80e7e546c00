// Does a claim cost O(batch) whatever the backlog? (issue 11, finding 8.) PostgreSQL only
// (DATABASE_URL; a scratch database): the real migration, capture trigger and key_lease the
// daemon uses, no Kizen. Figures, not assertions: run it from a Release build.
//
//   kizen_claim_bench [--keys N] [--batch B]
//
// Phases, each printing the claim time per batch (median and max of the claims in it):
//   fresh     N rows inserted (N pending keys): claims at the head of the backlog
//   blocked   half the keys leased by "another daemon" for an hour, a tenth dead-lettered: the
//             claims of this daemon must step over none of them
//   drain     every free key claimed B at a time and its changes marked done, as the daemon does:
//             claim time of the first and the last 20 batches (they should be about equal)

#include "config/connector_settings.hpp"
#include "connectors/postgres/key_lease.hpp"
#include "connectors/postgres/migrator.hpp"
#include "connectors/postgres/outbox_store.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/table_mappings.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;

double seconds_since(steady::time_point t) { return std::chrono::duration<double>(steady::now() - t).count(); }

std::int64_t count(pqxx::connection& c, const std::string& query) {
  pqxx::nontransaction tx(c);
  return tx.exec1(query)[0].as<std::int64_t>();
}

struct settings {
  int keys = 1'000'000;
  int batch = 200;
};

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> int {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return std::stoi(argv[++i]);
    };
    if (a == "--keys")
      s.keys = next();
    else if (a == "--batch")
      s.batch = next();
    else if (a == "--help" || a == "-h") {
      std::printf("usage: kizen_claim_bench [--keys N (1000000)] [--batch B (200)]\n");
      std::exit(0);
    } else {
      throw std::runtime_error("unknown argument " + a + " (see --help)");
    }
  }
  return s;
}

ks::config::object_mapping contacts() {
  ks::config::object_mapping m;
  m.object = "client_client";
  m.table = "contacts";
  m.key = "id";
  m.lookup = "email";
  ks::config::field_mapping f;
  f.column = "email";
  f.field = "email";
  m.fields.push_back(f);
  return m;
}

struct timing {
  std::vector<double> ms;
  void add(steady::time_point start) { ms.push_back(seconds_since(start) * 1000); }
  std::string summary() const {
    if (ms.empty()) return "none";
    auto sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    char buf[96];
    std::snprintf(buf, sizeof buf, "median %.2f ms, max %.2f ms (%zu claims)", sorted[sorted.size() / 2],
                  sorted.back(), sorted.size());
    return buf;
  }
};

const std::vector<std::string> objects{"client_client"};

// `rounds` claims of `batch` keys, each rolled back (the backlog stays as it is).
timing probe(pqxx::connection& c, const ks::pg::key_lease& leases, int batch, int rounds) {
  timing t;
  for (int i = 0; i < rounds; ++i) {
    pqxx::work tx(c);
    const auto start = steady::now();
    const auto got = leases.claim(tx, batch, objects, {}, std::chrono::seconds(60), "bench:1");
    t.add(start);
    if (got.size() != static_cast<std::size_t>(batch))
      throw std::runtime_error("a claim found " + std::to_string(got.size()) + " keys, not " + std::to_string(batch));
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) try {
  const auto s = parse(argc, argv);
  ks::test::scratch_database db;
  pqxx::connection c(db.url());
  pqxx::nontransaction(c).exec0("CREATE TABLE contacts (id bigint PRIMARY KEY, email text)");
  if (auto r = ks::pg::migrator().migrate(c, "kizen_sync", ks::test::tables({contacts()})); !r)
    throw std::runtime_error("migrate: " + r.error());
  const ks::pg::key_lease leases("kizen_sync");

  auto start = steady::now();
  for (int from = 1; from <= s.keys; from += 100'000) {
    pqxx::work tx(c);
    tx.exec_params("INSERT INTO contacts SELECT g, 'p' || g || '@example.com' FROM generate_series($1::bigint, $2) g",
                   from, std::min(s.keys, from + 99'999));
    tx.commit();
  }
  pqxx::nontransaction(c).exec0("VACUUM ANALYZE kizen_sync.outbox_keys");
  pqxx::nontransaction(c).exec0("ANALYZE kizen_sync.outbox");
  std::printf("backlog: %d pending keys queued in %.1f s\n", s.keys, seconds_since(start));
  std::printf("fresh:   %s\n", probe(c, leases, s.batch, 50).summary().c_str());

  // Another daemon holds half the keys; a tenth are dead-lettered (and their later changes blocked).
  start = steady::now();
  pqxx::connection other(db.url());
  {
    pqxx::work tx(other);
    tx.exec0("UPDATE kizen_sync.outbox_keys SET lease_epoch = 0, lease_until = now() + interval '1 hour'"
             " WHERE key::bigint % 2 = 0");
    tx.exec0("UPDATE kizen_sync.outbox SET state = 'dead', last_error = 'bench' WHERE key::bigint % 10 = 1");
    tx.commit();
  }
  pqxx::nontransaction(c).exec0("VACUUM ANALYZE kizen_sync.outbox_keys");
  const auto free_keys = count(c, "SELECT count(*) FROM kizen_sync.outbox_keys WHERE claim_at <= now()");
  std::printf("blocked: %lld free keys left after leasing half and dead-lettering a tenth (%.1f s)\n",
              static_cast<long long>(free_keys), seconds_since(start));
  std::printf("blocked: %s\n", probe(c, leases, s.batch, 50).summary().c_str());

  // Drain the free keys as the daemon does: claim, then record each key's changes as done.
  const ks::pg::outbox_store outbox("kizen_sync");
  timing first, last, all;
  std::int64_t drained = 0;
  start = steady::now();
  for (int b = 0;; ++b) {
    pqxx::work tx(c);
    const auto claim_start = steady::now();
    const auto got = leases.claim(tx, s.batch, objects, {}, std::chrono::seconds(60), "bench:1");
    const double ms = seconds_since(claim_start) * 1000;
    if (got.empty()) break;
    all.ms.push_back(ms);
    if (b < 20) first.ms.push_back(ms);
    std::string keys = "{";  // the keys are numbers: a plain array literal
    for (const auto& l : got) keys += (keys.size() > 1 ? "," : "") + l.key.key;
    keys += "}";
    tx.exec_params("UPDATE kizen_sync.outbox SET state = 'done', applied_at = now()"
                   " WHERE object = 'client_client' AND state = 'pending' AND key = ANY($1::text[])",
                   keys);
    tx.commit();
    drained += static_cast<std::int64_t>(got.size());
    if (b % 500 == 0 && b > 0)
      std::fprintf(stderr, "drain: %lld keys, %.0f s\n", static_cast<long long>(drained), seconds_since(start));
  }
  const auto n = all.ms.size();
  last.ms.assign(all.ms.end() - static_cast<std::ptrdiff_t>(std::min<std::size_t>(20, n)), all.ms.end());
  std::printf("drain:   %lld keys in %.1f s (%.0f keys/s, claims and the trigger's upkeep together)\n",
              static_cast<long long>(drained), seconds_since(start), static_cast<double>(drained) / seconds_since(start));
  std::printf("drain:   first 20 batches %s\n", first.summary().c_str());
  std::printf("drain:   last 20 batches  %s\n", last.summary().c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "kizen_claim_bench: %s\n", e.what());
  return 1;
}
