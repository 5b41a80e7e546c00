// `kizen-sync resync` of 10,000 records in each direction, interrupted once (SIGINT; kill -9)
// and run again: it resumes from its saved progress and ends with both sides equal. Also its
// progress line and exit codes.
#include "tests/integration/inbound/inbound_fixture.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

extern char** environ;

using namespace ks::test;
using namespace ks::test::inbound;
namespace json = boost::json;

namespace {

constexpr int n = 10000;

// `kizen-sync <args>` in the background, its output in files, so the test can interrupt it.
class background_command {
 public:
  background_command(const std::vector<std::string>& args, const environment_list& env, const std::string& dir)
      : out_(dir + "/out.txt"), err_(dir + "/err.txt") {
    std::vector<std::string> argv_s{kizen_sync_path()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<std::string> env_s;
    for (char** e = environ; *e != nullptr; ++e) env_s.emplace_back(*e);
    for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start kizen-sync");
  }
  ~background_command() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // The exit status (as exit_status_of), or nullopt if it still runs after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!status_) {
      int st = 0;
      const pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_)
        status_ = exit_status_of(st);
      else if (std::chrono::steady_clock::now() >= deadline)
        break;
      else
        std::this_thread::sleep_for(50ms);
    }
    return status_;
  }
  bool running() { return !wait(0ms).has_value(); }
  std::string out() const { return read(out_); }
  std::string err() const { return read(err_); }

 private:
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string out_, err_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

class inbound_resync : public inbound_test {
 protected:
  std::string config_for(const std::string& direction) {
    object_options o;
    o.direction = direction;
    config_options c;
    c.objects_yaml = companies_yaml(o) + contacts_yaml(o);
    c.max_connections = 8;
    c.log_level = "info";
    c.batch_size = 500;
    return write_config(c);
  }
  void migrate(const std::string& config) {
    const auto r = run_kizen_sync({"migrate", "-c", config}, 120s, daemon_env());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  std::int64_t progress_done(const std::string& direction) {
    return count("SELECT done FROM kizen_sync.resync_progress WHERE object = 'client_client' AND direction = '" +
                 direction + "'");
  }
  // Rows and live records agree: same count, one record per row (by kizen_id), same values.
  void expect_contacts_equal() {
    const auto state = kizen().state();
    std::unordered_map<std::string, const emulator_record*> live;
    for (const auto* r : state.live("client_client")) live[r->id] = r;
    pqxx::nontransaction tx(db());
    const auto rows = tx.exec(
        "SELECT kizen_id::text, email, first_name, lead_score, stage,"
        " array_to_string(tags, ',') FROM contacts ORDER BY id");
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(n));
    EXPECT_EQ(live.size(), static_cast<std::size_t>(n)) << "live records in Kizen";
    std::set<std::string> seen;
    int mismatches = 0;
    for (const auto& row : rows) {
      const auto id = row[0].is_null() ? std::string() : row[0].as<std::string>();
      const auto it = live.find(id);
      if (it == live.end() || !seen.insert(id).second) {
        if (++mismatches <= 5) ADD_FAILURE() << "row " << row[1].c_str() << ": no (or a shared) record " << id;
        continue;
      }
      const auto& rec = *it->second;
      const auto tags = rec.names("tags");
      std::string tag_text;
      for (const auto& t : tags) tag_text += (tag_text.empty() ? "" : ",") + t;
      const std::string want = std::string(row[1].c_str()) + "|" + row[2].c_str() + "|" + row[3].c_str() + "|" +
                               row[4].c_str() + "|" + row[5].c_str();
      const std::string got = rec.text("email").value_or("") + "|" + rec.text("first_name").value_or("") + "|" +
                              (rec.integer("lead_score") ? std::to_string(*rec.integer("lead_score")) : "") + "|" +
                              rec.text("stage").value_or("") + "|" + tag_text;
      if (want != got && ++mismatches <= 5) ADD_FAILURE() << "table " << want << " vs Kizen " << got;
    }
    EXPECT_EQ(mismatches, 0);
  }
};

// "<label>: <phase> D/D (D.D%), D/s, ETA <-|Ds|DmDDs|DhDDm>": the progress line, exactly.
bool is_progress_line(const std::string& l, const std::string& label, const std::vector<std::string>& phases) {
  std::size_t i = 0;
  auto literal = [&](const std::string& s) {
    if (l.compare(i, s.size(), s) != 0) return false;
    i += s.size();
    return true;
  };
  auto digits = [&](std::size_t min = 1, std::size_t max = 20) {
    std::size_t n = 0;
    while (i < l.size() && std::isdigit(static_cast<unsigned char>(l[i]))) ++i, ++n;
    return n >= min && n <= max;
  };
  if (!literal(label + ": ")) return false;
  bool phase = false;
  for (const auto& p : phases)
    if (l.compare(i, p.size() + 1, p + " ") == 0) {
      i += p.size() + 1;
      phase = true;
      break;
    }
  if (!phase || !digits() || !literal("/") || !digits() || !literal(" (") || !digits() || !literal(".") ||
      !digits(1, 1) || !literal("%), ") || !digits() || !literal("/s, ETA "))
    return false;
  if (literal("-")) return i == l.size();
  if (!digits()) return false;
  if (literal("s")) return i == l.size();
  if (literal("m")) return digits(2, 2) && literal("s") && i == l.size();
  return literal("h") && digits(2, 2) && literal("m") && i == l.size();
}

void expect_progress_lines(const std::string& err, const std::string& label, const std::vector<std::string>& phases) {
  std::istringstream in(err);
  std::string l;
  int progress = 0;
  while (std::getline(in, l)) {
    if (l.rfind(label + ": ", 0) != 0 || l.find("ETA") == std::string::npos) continue;
    ++progress;
    EXPECT_TRUE(is_progress_line(l, label, phases)) << l;
  }
  EXPECT_GT(progress, 0) << "no progress line in:\n" << err;
}

std::string uuid_of(int prefix, int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", prefix, i);
  return buf;
}

}  // namespace

TEST_F(inbound_resync, to_kizen_of_10000_rows_interrupted_by_sigint_resumes_and_ends_equal) {
  // Rows that predate the sync (no capture trigger yet): only a resync brings them to Kizen.
  sql(tables_sql);
  sql("INSERT INTO contacts (email, first_name, lead_score, stage, tags) SELECT 'r' || g || '@example.com', 'n' || g, "
      "g,"
      " (ARRAY['Lead','Qualified','Customer'])[1 + g % 3], ARRAY['t' || (g % 7)] FROM generate_series(1, " +
      std::to_string(n) + ") g");
  const auto config = config_for("both");
  migrate(config);
  ASSERT_EQ(count("SELECT count(*) FROM kizen_sync.outbox"), 0);

  {
    background_command first({"resync", "-c", config, "--object", "client_client", "--direction", "to_kizen"},
                             daemon_env(), dir_);
    ASSERT_TRUE(wait_until("part of the rows to reach Kizen", [&] {
      if (!first.running()) throw std::runtime_error("resync ended early:\n" + first.err());
      return count("SELECT count(*) FROM kizen_sync.outbox WHERE state = 'done'") >= 1500;
    })) << first.err();
    first.signal(SIGINT);
    const auto status = first.wait(settle_timeout);
    ASSERT_TRUE(status.has_value()) << "resync did not stop after SIGINT";
    EXPECT_EQ(*status, 1) << first.err();
    EXPECT_NE(first.err().find("stopping after the current batch"), std::string::npos) << first.err();
    EXPECT_NE(first.err().find("run the same command again to resume"), std::string::npos) << first.err();
    expect_progress_lines(first.err(), "resync client_client to_kizen", {"queueing", "applying"});
  }
  const auto applied = count("SELECT count(*) FROM kizen_sync.outbox WHERE state = 'done'");
  EXPECT_LT(applied, n) << "interrupted too late to test resuming";
  std::cerr << "to_kizen: interrupted with " << progress_done("to_kizen") << " rows queued, " << applied
            << " applied\n";
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.resync_progress WHERE finished_at IS NOT NULL"), 0);

  const auto second = run_kizen_sync({"resync", "-c", config, "--object", "client_client", "--direction", "to_kizen"},
                                     600s, daemon_env());
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  std::cerr << second.out;
  EXPECT_NE(second.out.find("resync client_client to_kizen: done, "), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("of " + std::to_string(n) + " rows applied (resumed)"), std::string::npos) << second.out;
  expect_progress_lines(second.err, "resync client_client to_kizen", {"queueing", "applying"});
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox WHERE state <> 'done'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.identity_map WHERE object = 'client_client'"), n);
  EXPECT_EQ(count("SELECT count(*) FROM contacts WHERE kizen_id IS NULL"), 0);
  expect_contacts_equal();

  // Finished: running it again starts over (and finds nothing to change).
  const auto third = run_kizen_sync({"resync", "-c", config, "--object", "client_client", "--direction", "to_kizen"},
                                    600s, daemon_env());
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(third.out.find("(resumed)"), std::string::npos) << third.out;
}

// A user's change still open on a row while resync reads it: resync waits for it and queues what it
// commits. Read without the row lock, resync queued the old image after the user's change (a higher
// outbox id); Kizen was down meanwhile, so both were pending together and merged in id order, and
// the old image overwrote the user's value in Kizen.
TEST_F(inbound_resync, to_kizen_waits_for_a_change_open_on_a_row_and_queues_what_it_commits) {
  sql(tables_sql);
  sql("INSERT INTO contacts (email, first_name) VALUES ('open@example.com', 'Before')");
  const auto config = config_for("both");
  migrate(config);
  // The key's lease, held by the test: nothing of this key reaches Kizen until the interleaving
  // is done, so the two changes are pending together, as after a Kizen outage.
  const auto key = scalar("SELECT id::text FROM contacts");
  pqxx::connection locker(db_url());
  pqxx::nontransaction(locker).exec_params(
      "INSERT INTO kizen_sync.outbox_keys (object, key, due_at, lease_epoch, lease_until)"
      " VALUES ('client_client', $1, now(), 0, now() + interval '1 hour')",
      key);
  pqxx::connection user(db_url());
  pqxx::work open(user);
  open.exec0("UPDATE contacts SET first_name = 'After' WHERE email = 'open@example.com'");  // queued, not committed

  background_command resync({"resync", "-c", config, "--object", "client_client", "--direction", "to_kizen"},
                            daemon_env(), dir_);
  // Resync queues its image of the row (fixed: once the user's transaction ended).
  std::this_thread::sleep_for(3s);
  open.commit();
  ASSERT_TRUE(wait_until("resync to queue the row",
                         [&] { return count("SELECT count(*) FROM kizen_sync.outbox WHERE op = 'insert'") == 1; }));
  pqxx::nontransaction(locker).exec_params(
      "UPDATE kizen_sync.outbox_keys SET lease_until = NULL WHERE object = 'client_client' AND key = $1", key);
  const auto status = resync.wait(settle_timeout);
  ASSERT_TRUE(status.has_value()) << "resync did not end";
  EXPECT_EQ(*status, 0) << resync.err();
  EXPECT_EQ(scalar("SELECT new_row ->> 'first_name' FROM kizen_sync.outbox WHERE op = 'insert'"), "After");
  const auto state = kizen().state();
  const auto live = state.live_where("client_client", "email", "open@example.com");
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0]->text("first_name").value_or(""), "After");
}

TEST_F(inbound_resync, from_kizen_of_10000_records_killed_hard_resumes_and_ends_equal) {
  // 10,000 contacts already in Kizen (a state file the emulator loads at start).
  const auto state_path = dir_ + "/kizen-state.json";
  {
    json::array contacts;
    const char* stages[] = {"Lead", "Qualified", "Customer"};
    for (int i = 0; i < n; ++i) {
      char created[32];
      std::snprintf(created, sizeof created, "2025-01-01T%02d:%02d:%02d.%03dZ", i / 3600000, (i / 60000) % 60,
                    (i / 1000) % 60, i % 1000);
      json::object fields{{"email", "k" + std::to_string(i) + "@example.com"},
                          {"first_name", "F" + std::to_string(i)},
                          {"lead_score", i},
                          {"stage", stages[i % 3]},
                          {"tags", json::array{"g" + std::to_string(i % 5)}}};
      contacts.push_back(json::object{{"id", uuid_of(0x5e5e, i)},
                                      {"archived", false},
                                      {"created", created},
                                      {"updated", created},
                                      {"fields", std::move(fields)}});
    }
    std::ofstream(state_path) << json::serialize(
        json::object{{"format", "kizen-emulator-state/1"}, {"objects", json::object{{"client_client", contacts}}}});
  }
  kizen_.reset();
  emulator_.reset();
  emulator_options options;
  options.extra_args = {"--log-level", "warn", "--state", state_path};
  emulator_ = std::make_unique<emulator_process>(options);
  kizen_ = std::make_unique<emulator_control>(*emulator_);
  ASSERT_EQ(kizen().state().live("client_client").size(), static_cast<std::size_t>(n));

  sql(tables_sql);
  const auto config = config_for("from_kizen");
  migrate(config);
  {
    background_command first({"resync", "-c", config, "--object", "client_client", "--direction", "from_kizen"},
                             daemon_env(), dir_);
    ASSERT_TRUE(wait_until("part of the records to arrive", [&] {
      if (!first.running()) throw std::runtime_error("resync ended early:\n" + first.err());
      return progress_done("from_kizen") >= 2000;
    })) << first.err();
    first.signal(SIGKILL);  // a crash: no chance to save anything more
    const auto status = first.wait(settle_timeout);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, 128 + SIGKILL);
    expect_progress_lines(first.err(), "resync client_client from_kizen", {"pulling"});
  }
  const auto saved = progress_done("from_kizen");
  EXPECT_LT(saved, n) << "killed too late to test resuming";
  std::cerr << "from_kizen: killed with " << saved << " records saved as done\n";
  EXPECT_GE(count("SELECT count(*) FROM contacts"), saved);

  const auto second = run_kizen_sync({"resync", "-c", config, "--object", "client_client", "--direction", "from_kizen"},
                                     600s, daemon_env());
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  std::cerr << second.out;
  EXPECT_NE(second.out.find("resync client_client from_kizen: done, " + std::to_string(n) + " of " + std::to_string(n) +
                            " records written (resumed)"),
            std::string::npos)
      << second.out;
  expect_progress_lines(second.err, "resync client_client from_kizen", {"pulling"});
  EXPECT_EQ(count("SELECT count(DISTINCT kizen_id) FROM contacts"), n);
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.identity_map"), n);
  EXPECT_EQ(count("SELECT count(*) FROM kizen_sync.outbox"), 0);  // from_kizen: nothing captured
  expect_contacts_equal();
}

TEST_F(inbound_resync, exit_codes_for_usage_and_refused_directions) {
  sql(tables_sql);
  const auto config = config_for("from_kizen");
  migrate(config);
  const auto refused = run_kizen_sync({"resync", "-c", config, "--object", "client_client", "--direction", "to_kizen"},
                                      120s, daemon_env());
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("syncs from_kizen only"), std::string::npos) << refused.err;
  const auto unknown =
      run_kizen_sync({"resync", "-c", config, "--object", "nope", "--direction", "from_kizen"}, 120s, daemon_env());
  EXPECT_EQ(unknown.exit_code, 1) << unknown.err;
  EXPECT_NE(unknown.err.find("object 'nope' is not in"), std::string::npos) << unknown.err;
  const auto usage = run_kizen_sync({"resync", "-c", config, "--object", "client_client", "--direction", "sideways"},
                                    60s, daemon_env());
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
  const auto missing = run_kizen_sync({"resync", "-c", config, "--direction", "from_kizen"}, 60s, daemon_env());
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
}
