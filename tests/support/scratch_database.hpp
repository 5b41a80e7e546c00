#pragma once
// A private PostgreSQL database per test, created on the server named by DATABASE_URL (which
// tests/run.sh points at its throwaway cluster) and dropped afterwards, so tests can run in
// parallel without seeing each other's tables.

#include <string>
#include <string_view>

namespace ks::test {

// DATABASE_URL, or an exception saying how to run the tests if it is unset.
std::string database_url_from_env();

// The same connection string with the database name replaced (URI or key=value form).
std::string with_database(std::string_view url, std::string_view dbname);

class scratch_database {
 public:
  scratch_database();
  ~scratch_database();
  scratch_database(const scratch_database&) = delete;
  scratch_database& operator=(const scratch_database&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

}  // namespace ks::test
