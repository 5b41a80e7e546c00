// The outbound sync's speed end to end: PostgreSQL (DATABASE_URL; the bench creates and drops its
// own database), kizen-emulator without faults, and the kizen-sync daemon of this build. Figures,
// not assertions: run it from a Release build.
//
//   kizen_outbound_bench [--rows N] [--updates N] [--backlog N] [--threads T] [--max-connections C]
//                        [--paced-rate R] [--paced-seconds S] [--vacuum-outbox] [--daemons D]
//
// --vacuum-outbox sets aggressive autovacuum storage parameters on the outbox table (not what
// `migrate` does today): to see how much of the slowdown on a growing outbox is dead index entries
// of applied changes that the claim query must step over.
//
// Phases:
//   inserts  N rows committed one per transaction by T threads while the daemon runs (creates)
//   updates  N single-row updates of random rows, likewise (PATCHes, merged when a key repeats)
//   paced    single-row updates at R per second for S seconds (below capacity: latency unqueued)
//   backlog  N updates committed while the daemon is stopped, then drained from a cold start by D
//            daemons on the same database (--daemons, default 1; they share the work by key leases)
// Each phase also prints the daemons' peak RSS.
// For each: changes per second (first commit, or the daemon's start for backlog, to the last change
// applied) and commit-to-request latency p50/p99/max (for backlog: from the daemon's start). A change's commit time is
// its outbox row's created_at (the trigger runs in the committing transaction); its request time is the emulator's
// request-log `at` of the first request that carried its value (the row's `employees`, incremented by every update).

#include "tests/bench/bench_support.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_database.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace json = boost::json;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct settings {
  int rows = 20000;
  int updates = 20000;
  int backlog = 20000;
  int threads = 4;
  int max_connections = 32;
  int paced_rate = 200;
  int paced_seconds = 10;
  bool vacuum_outbox = false;
  int daemons = 1;
};

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> int {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return std::stoi(argv[++i]);
    };
    if (a == "--rows")
      s.rows = next();
    else if (a == "--updates")
      s.updates = next();
    else if (a == "--backlog")
      s.backlog = next();
    else if (a == "--daemons")
      s.daemons = std::max(1, next());
    else if (a == "--threads")
      s.threads = next();
    else if (a == "--max-connections")
      s.max_connections = next();
    else if (a == "--paced-rate")
      s.paced_rate = next();
    else if (a == "--paced-seconds")
      s.paced_seconds = next();
    else if (a == "--vacuum-outbox")
      s.vacuum_outbox = true;
    else
      throw std::runtime_error("unknown argument " + a +
                               " (usage: outbound_bench [--rows N] [--updates N] [--backlog N] [--threads T] "
                               "[--max-connections C] [--paced-rate R] [--paced-seconds S] [--vacuum-outbox] [--daemons D])");
  }
  return s;
}

// "2025-01-01T12:34:56.789Z" -> microseconds since the epoch.
std::int64_t micros_of(const std::string& t) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(t.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &ms) != 7)
    throw std::runtime_error("unexpected time format: " + t);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(::timegm(&tm)) * 1000000 + ms * 1000;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

class bench {
 public:
  explicit bench(settings s) : s_(s) {
    ks::test::emulator_options eo;
    eo.extra_args = {"--log-level", "warn", "--max-logged-requests", "1000000"};
    emulator_ = std::make_unique<ks::test::emulator_process>(eo);
    kizen_ = std::make_unique<ks::test::emulator_control>(*emulator_);
    dir_ = (std::filesystem::temp_directory_path() / ("ks-outbound-bench." + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(dir_);
    conn_ = std::make_unique<pqxx::connection>(db_.url());
    pqxx::work tx(*conn_);
    tx.exec0(
        "CREATE TABLE bench_companies (id integer PRIMARY KEY, name text NOT NULL, domain text,"
        " employees integer NOT NULL, kizen_id uuid)");
    tx.commit();
    config_ = dir_ + "/kizen-sync.yaml";
    std::ofstream(config_) << "kizen:\n"
                           << "  base_url: " << emulator_->base_url() << "\n"
                           << "  api_key: " << emulator_->options().api_key << "\n"
                           << "  business_id: " << emulator_->options().business_id << "\n"
                           << "  user_id: " << emulator_->options().user_id << "\n"
                           << "  max_connections: " << s_.max_connections << "\n"
                           << "  max_requests_per_second: 1000000\n"
                           << "postgres:\n  url: '" << db_.url() << "'\n  schema: kizen_sync\n"
                           << "daemon:\n  http_listen: 127.0.0.1:0\n  log_level: info\n  summary_interval: 10s\n"
                           << "objects:\n"
                           << "  - object: companies\n    table: bench_companies\n    key: id\n"
                           << "    entity_id_column: kizen_id\n    lookup: name\n    direction: to_kizen\n"
                           << "    fields:\n      - {column: name, field: name}\n"
                           << "      - {column: domain, field: domain}\n"
                           << "      - {column: employees, field: employees}\n";
    const auto m = ks::test::run_kizen_sync({"migrate", "-c", config_});
    if (m.exit_code != 0) throw std::runtime_error("migrate failed: " + m.out + m.err);
    if (s_.vacuum_outbox) {
      pqxx::nontransaction vtx(*conn_);
      vtx.exec0(
          "ALTER TABLE kizen_sync.outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,"
          " autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = "
          "5000)");
    }
  }
  ~bench() {
    others_.clear();
    daemon_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void run() {
    std::printf(
        "outbound_bench: %d rows, %d updates, %d/s paced updates for %d s, %d backlog updates, "
        "%d committing threads, max_connections %d%s\n",
        s_.rows, s_.updates, s_.paced_rate, s_.paced_seconds, s_.backlog, s_.threads, s_.max_connections,
        s_.vacuum_outbox ? ", outbox autovacuum tuned" : "");
    start_daemon();
    phase("inserts", s_.rows, [&](pqxx::nontransaction& tx, int i) {
      tx.exec_params("INSERT INTO bench_companies (id, name, domain, employees) VALUES ($1, $2, $3, 0)", i,
                     "Company " + std::to_string(i), "c" + std::to_string(i) + ".example");
    });
    phase("updates", s_.updates, [&](pqxx::nontransaction& tx, int i) { update_random(tx, i); });
    if (s_.paced_rate > 0 && s_.paced_seconds > 0) {
      // One committer on a fixed schedule: each change is committed at its slot, not earlier.
      const auto period = std::chrono::nanoseconds(1000000000LL / s_.paced_rate);
      const auto t0 = steady::now();
      phase(
          "paced", s_.paced_rate * s_.paced_seconds,
          [&](pqxx::nontransaction& tx, int i) {
            std::this_thread::sleep_until(t0 + period * (i - 1));
            update_random(tx, i);
          },
          /*cold=*/false, /*threads=*/1);
    }
    if (s_.backlog > 0) {
      daemon_->stop();
      daemon_.reset();
      phase(
          "backlog", s_.backlog, [&](pqxx::nontransaction& tx, int i) { update_random(tx, i); }, /*cold=*/true);
    }
    if (daemon_) std::printf("daemon stopped with exit status %d\n", daemon_->stop());
  }

 private:
  void start_daemon() {
    ks::test::daemon_options o;
    daemon_ = std::make_unique<ks::test::daemon_process>(config_, o);
  }

  void update_random(pqxx::nontransaction& tx, int i) {
    thread_local std::mt19937 rng(static_cast<unsigned>(i) * 7919u + 17u);
    const int key = 1 + static_cast<int>(rng() % static_cast<unsigned>(s_.rows));
    tx.exec_params("UPDATE bench_companies SET employees = employees + 1 WHERE id = $1", key);
  }

  std::int64_t pending() {
    pqxx::nontransaction tx(*conn_);
    return tx.exec("SELECT count(*) FROM kizen_sync.outbox WHERE state <> 'done'")[0][0].as<std::int64_t>();
  }

  template <class Commit>
  void phase(const char* name, int n, Commit commit, bool cold = false, int threads = 0) {
    const auto first_change = last_outbox_id();
    const auto first_seq = kizen_->requests().last_seq();
    std::atomic<int> next{1};
    const auto started = steady::now();
    std::vector<std::thread> producers;
    for (int t = 0; t < (threads > 0 ? threads : s_.threads); ++t) {
      producers.emplace_back([&] {
        pqxx::connection c(db_.url());
        for (int i = next++; i <= n; i = next++) {
          pqxx::nontransaction tx(c);
          commit(tx, i);
        }
      });
    }
    for (auto& p : producers) p.join();
    const double commit_seconds = std::chrono::duration<double>(steady::now() - started).count();
    auto drain_started = steady::now();
    if (cold) {
      started_micros_ = now_micros();
      start_daemon();
      for (int d = 1; d < s_.daemons; ++d)
        others_.push_back(std::make_unique<ks::test::daemon_process>(config_, ks::test::daemon_options{}));
      drain_started = steady::now();
    }
    const auto deadline = steady::now() + 30min;
    while (pending() > 0) {
      if (steady::now() > deadline) throw std::runtime_error(std::string(name) + ": not drained in 30 minutes");
      std::this_thread::sleep_for(10ms);
    }
    const auto finished = steady::now();
    const double seconds = std::chrono::duration<double>(finished - (cold ? drain_started : started)).count();
    // From a cold start the commits waited for the daemon to start: measure from its start.
    const auto latencies = commit_to_request(first_change, first_seq, cold ? started_micros_ : 0);
    const auto requests = kizen_->requests(first_seq).requests.size();
    long rss_kib = daemon_ ? ks::bench::peak_rss_kib(daemon_->pid()) : -1;
    for (const auto& d : others_) rss_kib = std::max(rss_kib, ks::bench::peak_rss_kib(d->pid()));
    const std::string drained_by =
        cold ? ", drained from a cold start by " + std::to_string(1 + others_.size()) + " daemon(s)" : "";
    std::printf(
        "%-8s %6d changes  %7.1f changes/s  (%zu requests; commits took %.1f s%s)  "
        "%s p50 %.1f ms  p99 %.1f ms  max %.1f ms  daemon peak RSS %.1f MB\n",
        name, n, n / seconds, requests, commit_seconds, drained_by.c_str(),
        cold ? "daemon start->request" : "commit->request", percentile(latencies, 0.5), percentile(latencies, 0.99),
        latencies.empty() ? 0.0 : *std::max_element(latencies.begin(), latencies.end()), rss_kib / 1024.0);
    std::fflush(stdout);
    others_.clear();
  }

  std::int64_t last_outbox_id() {
    pqxx::nontransaction tx(*conn_);
    return tx.exec("SELECT coalesce(max(id), 0) FROM kizen_sync.outbox")[0][0].as<std::int64_t>();
  }

  static std::int64_t now_micros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // Commit-to-request latency of every change after `first_change`, in milliseconds, counted from
  // `not_before` (epoch microseconds) for changes committed earlier.
  std::vector<double> commit_to_request(std::int64_t first_change, std::int64_t first_seq, std::int64_t not_before) {
    pqxx::nontransaction tx(*conn_);
    std::map<std::string, std::string> key_of;  // entity id -> key
    for (const auto& row :
         tx.exec("SELECT entity_id::text, key FROM kizen_sync.identity_map WHERE object = 'companies'"))
      key_of[row[0].c_str()] = row[1].c_str();
    // Per key: (value carried, request time) in request order.
    std::map<std::string, std::vector<std::pair<std::int64_t, std::int64_t>>> sent;
    for (const auto& r : kizen_->requests(first_seq).requests) {
      if (!r.applied()) continue;
      std::string key;
      if (r.path_template == ks::test::upsert_path) {
        key = std::string(r.body.at("lookup_value").as_string()).substr(std::string("Company ").size());
      } else if (r.method == "PATCH" && r.entity_id()) {
        key = key_of[*r.entity_id()];
      } else {
        continue;
      }
      const auto writes = r.field_writes();
      const auto it = writes.find("employees");
      if (it == writes.end()) continue;
      sent[key].emplace_back(it->second.at("value").to_number<std::int64_t>(), micros_of(r.at));
    }
    std::vector<double> out;
    const auto changes = tx.exec_params(
        "SELECT key, (new_row ->> 'employees')::bigint, (extract(epoch FROM created_at) * 1000000)::bigint"
        " FROM kizen_sync.outbox WHERE id > $1 AND object = 'companies' ORDER BY id",
        first_change);
    std::size_t unmatched = 0;
    for (const auto& row : changes) {
      const auto& list = sent[row[0].c_str()];
      const auto value = row[1].as<std::int64_t>();
      const auto committed = std::max(row[2].as<std::int64_t>(), not_before);
      const auto hit = std::find_if(list.begin(), list.end(), [&](const auto& p) { return p.first >= value; });
      if (hit == list.end()) {
        ++unmatched;
        continue;
      }
      out.push_back(static_cast<double>(hit->second - committed) / 1000.0);
    }
    if (unmatched > 0) std::printf("  (%zu changes matched no request)\n", unmatched);
    return out;
  }

  settings s_;
  ks::test::scratch_database db_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<ks::test::emulator_process> emulator_;
  std::unique_ptr<ks::test::emulator_control> kizen_;
  std::unique_ptr<ks::test::daemon_process> daemon_;
  std::vector<std::unique_ptr<ks::test::daemon_process>> others_;  // the backlog's extra daemons
  std::string dir_;
  std::string config_;
  std::int64_t started_micros_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    bench b(parse(argc, argv));
    b.run();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "outbound_bench: %s\n", e.what());
    return 1;
  }
}
