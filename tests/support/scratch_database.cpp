#include "tests/support/scratch_database.hpp"

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>

namespace ks::test {

std::string database_url_from_env() {
  const char* url = std::getenv("DATABASE_URL");
  if (url == nullptr || *url == '\0')
    throw std::runtime_error(
        "DATABASE_URL is not set: run the tests through tests/run.sh, which starts a throwaway "
        "PostgreSQL, or export DATABASE_URL pointing at a server where this user may CREATE DATABASE");
  return url;
}

std::string with_database(std::string_view url, std::string_view dbname) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    // key=value form: a later keyword overrides an earlier one.
    return std::string(url) + " dbname=" + std::string(dbname);
  }
  const auto authority_start = scheme + 3;
  const auto query = url.find('?', authority_start);
  const auto path = url.find('/', authority_start);
  const auto authority_end = (path != std::string_view::npos && (query == std::string_view::npos || path < query))
                                 ? path
                                 : (query == std::string_view::npos ? url.size() : query);
  std::string out(url.substr(0, authority_end));
  out += '/';
  out += dbname;
  if (query != std::string_view::npos) out += url.substr(query);
  return out;
}

scratch_database::scratch_database() : admin_url_(database_url_from_env()) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  name_ =
      "ks_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 100000);
  pqxx::connection admin(admin_url_);
  pqxx::nontransaction tx(admin);
  tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
  url_ = with_database(admin_url_, name_);
}

scratch_database::~scratch_database() {
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (...) {
    // A leftover database in a throwaway cluster is harmless; never throw from a destructor.
  }
}

}  // namespace ks::test
