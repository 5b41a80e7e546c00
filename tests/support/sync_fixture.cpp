#include "tests/support/sync_fixture.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace ks::test {

std::string yaml_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "''";
    else if (c == '$')
      out += "$$";
    else
      out += c;
  }
  return out + "'";
}

std::string canonical(const boost::json::value& v) {
  if (v.is_object()) {
    std::vector<std::pair<std::string, std::string>> items;
    for (const auto& [k, x] : v.get_object()) items.emplace_back(std::string(k), canonical(x));
    std::sort(items.begin(), items.end());
    std::string out = "{";
    for (const auto& [k, x] : items)
      out += (out.size() > 1 ? "," : "") + boost::json::serialize(boost::json::value(k)) + ":" + x;
    return out + "}";
  }
  if (v.is_array()) {
    std::vector<std::string> items;
    for (const auto& x : v.get_array()) items.push_back(canonical(x));
    std::sort(items.begin(), items.end());
    std::string out = "[";
    for (const auto& x : items) out += (out.size() > 1 ? "," : "") + x;
    return out + "]";
  }
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  return boost::json::serialize(v);
}

void sync_fixture::SetUp() {
  db_ = std::make_unique<scratch_database>();
  conn_ = std::make_unique<pqxx::connection>(db_->url());
  emulator_options options;
  options.extra_args = {"--log-level", "warn"};
  emulator_ = std::make_unique<emulator_process>(options);
  kizen_ = std::make_unique<emulator_control>(*emulator_);
  std::string pattern = (std::filesystem::temp_directory_path() / (dir_prefix_ + ".XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  dir_ = pattern;
}

void sync_fixture::TearDown() {
  if (daemon_ && HasFailure()) std::cerr << "---- daemon log (tail) ----\n" << daemon_log_tail(300) << "\n";
  daemon_.reset();
  emulator_.reset();
  conn_.reset();
  db_.reset();
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

pqxx::connection& sync_fixture::db() {
  if (!conn_ || !conn_->is_open()) conn_ = std::make_unique<pqxx::connection>(db_->url());
  return *conn_;
}

void sync_fixture::sql(const std::string& statements) {
  pqxx::work tx(db());
  tx.exec(statements);
  tx.commit();
}

std::string sync_fixture::scalar(const std::string& query) {
  pqxx::nontransaction tx(db());
  const auto r = tx.exec(query);
  if (r.empty() || r[0][0].is_null()) return {};
  return r[0][0].c_str();
}

std::int64_t sync_fixture::count(const std::string& query) {
  const auto s = scalar(query);
  return s.empty() ? 0 : std::stoll(s);
}

std::string sync_fixture::entity_of(const std::string& object, const std::string& key) {
  pqxx::nontransaction tx(db());
  const auto r =
      tx.exec_params("SELECT entity_id::text FROM kizen_sync.identity_map WHERE object = $1 AND key = $2", object, key);
  return r.empty() ? std::string() : r[0][0].as<std::string>();
}

std::string sync_fixture::write_config(const sync_config& o, const std::string& name) {
  std::ostringstream y;
  y << "kizen:\n"
    << "  base_url: " << (o.base_url.empty() ? emulator_->base_url() : o.base_url) << "\n"
    << "  api_key: " << yaml_quoted(emulator_->options().api_key) << "\n"
    << "  business_id: " << yaml_quoted(emulator_->options().business_id) << "\n"
    << "  user_id: " << yaml_quoted(emulator_->options().user_id) << "\n"
    << "  request_timeout: " << o.request_timeout << "\n"
    << "  max_connections: " << o.max_connections << "\n"
    << "  max_requests_per_second: " << o.max_requests_per_second << "\n"
    << "  retry: " << o.retry << "\n"
    << "  search_visibility_delay: " << o.search_visibility_delay << "\n"
    << "postgres:\n"
    << "  url: " << yaml_quoted(o.postgres_url.empty() ? db_->url() : o.postgres_url) << "\n"
    << "  schema: kizen_sync\n"
    << (o.statement_timeout.empty() ? "" : "  statement_timeout: " + o.statement_timeout + "\n") << "daemon:\n"
    << "  http_listen: 127.0.0.1:0\n"
    << "  log_level: " << o.log_level << "\n"
    << "  outbox_poll_interval: " << o.poll_interval << "\n"
    << "  shutdown_grace: " << o.shutdown_grace << "\n"
    << "  summary_interval: 5s\n"
    << "  batch_size: " << o.batch_size << "\n"
    << "  key_lease: " << o.key_lease << "\n"
    << "objects:\n"
    << o.objects_yaml;
  const auto path = dir_ + "/" + name;
  std::ofstream(path) << y.str();
  return path;
}

environment_list sync_fixture::daemon_env() const {
  environment_list env;
  if (std::getenv("LSAN_OPTIONS") == nullptr)
    env.emplace_back("LSAN_OPTIONS",
                     std::string("suppressions=") + KS_SOURCE_DIR + "/tests/lsan.supp:print_suppressions=0");
  return env;
}

daemon_process& sync_fixture::start_daemon(const std::string& config_path) {
  daemon_.reset();
  daemon_options options;
  options.env = daemon_env();
  daemon_ = std::make_unique<daemon_process>(config_path, options);
  return *daemon_;
}

std::string sync_fixture::daemon_log_tail(std::size_t lines) const {
  if (!daemon_) return "(no daemon)";
  const auto text = daemon_->log();
  std::vector<std::string> all;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += all[i] + "\n";
  return out;
}

}  // namespace ks::test
