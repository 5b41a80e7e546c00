// TLS against kizen-emulator serving HTTPS with throwaway self-signed certificates (made with
// the openssl command in a temporary directory): verification on by default, ca_file, host-name
// checks, tls_verify: false, and keep-alive over TLS.

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/integration/kizen/kizen_env.hpp"

namespace ks::kizen::test {
namespace {

namespace fs = std::filesystem;

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "kizen-tls-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// A self-signed certificate for `san` (e.g. "DNS:localhost,IP:127.0.0.1"); returns {cert, key}.
std::pair<std::string, std::string> make_certificate(const fs::path& dir, const std::string& name,
                                                     const std::string& san) {
  const auto cert = (dir / (name + ".pem")).string();
  const auto key = (dir / (name + ".key")).string();
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
      " -subj /CN=kizen-test -addext subjectAltName=" +
      san + " -keyout '" + key + "' -out '" + cert + "' >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl could not make a certificate: " + cmd);
  return {cert, key};
}

ks::test::emulator_options tls_options(const std::pair<std::string, std::string>& files) {
  ks::test::emulator_options o;
  o.extra_args = {"--tls-cert", files.first, "--tls-key", files.second};
  return o;
}

class kizen_tls : public ::testing::Test {
 protected:
  temp_dir dir_;
  std::pair<std::string, std::string> good_ = make_certificate(dir_.path, "good", "DNS:localhost,IP:127.0.0.1");
  std::pair<std::string, std::string> other_ = make_certificate(dir_.path, "other", "DNS:other.example");
  ks::test::emulator_process emu_{tls_options(good_)};
  boost::asio::io_context io_;

  std::unique_ptr<client> make(client_settings s, std::shared_ptr<spdlog::logger> logger = nullptr) {
    auto made = client::create(io_.get_executor(), s, std::move(logger));
    EXPECT_TRUE(made) << made.error().message;
    return made ? std::move(*made) : nullptr;
  }
  template <class T>
  T run(boost::asio::awaitable<T> op) {
    return test::run(io_, std::move(op));
  }
};

TEST_F(kizen_tls, the_emulator_serves_https) { ASSERT_EQ(emu_.base_url().rfind("https://", 0), 0u) << emu_.base_url(); }

TEST_F(kizen_tls, an_untrusted_certificate_is_refused_by_default) {
  auto kizen = make(settings_for(emu_));
  auto r = run(kizen->list_objects());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, error_kind::tls) << r.error().message;
  EXPECT_FALSE(r.error().retryable);
  EXPECT_NE(r.error().message.find("self-signed"), std::string::npos) << r.error().message;
}

TEST_F(kizen_tls, a_certificate_from_ca_file_is_trusted) {
  auto settings = settings_for(emu_);
  settings.ca_file = good_.first;
  auto kizen = make(settings);
  auto r = run(kizen->list_objects());
  EXPECT_TRUE(r) << r.error().message;
}

TEST_F(kizen_tls, host_names_are_checked_and_sni_is_sent) {
  auto settings = settings_for(emu_);
  settings.ca_file = good_.first;
  const auto port = emu_.base_url().substr(emu_.base_url().rfind(':'));
  settings.base_url = "https://localhost" + port;  // matches DNS:localhost
  auto kizen = make(settings);
  auto r = run(kizen->list_objects());
  EXPECT_TRUE(r) << r.error().message;
}

TEST_F(kizen_tls, a_certificate_for_another_host_is_refused) {
  ks::test::emulator_process other_emu(tls_options(other_));
  auto settings = settings_for(other_emu);
  settings.ca_file = other_.first;  // trusted, but issued to other.example
  auto kizen = make(settings);
  auto r = run(kizen->list_objects());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, error_kind::tls) << r.error().message;
  EXPECT_FALSE(r.error().retryable);
  EXPECT_NE(r.error().message.find("mismatch"), std::string::npos) << r.error().message;

  settings.base_url = "https://localhost" + other_emu.base_url().substr(other_emu.base_url().rfind(':'));
  auto by_name = make(settings);
  auto named = run(by_name->list_objects());
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().kind, error_kind::tls);
  EXPECT_NE(named.error().message.find("mismatch"), std::string::npos) << named.error().message;
}

TEST_F(kizen_tls, tls_verify_false_accepts_anything_and_says_so_loudly) {
  captured_log log;
  auto settings = settings_for(emu_);
  settings.tls_verify = false;
  auto kizen = make(settings, log.logger);
  auto r = run(kizen->list_objects());
  EXPECT_TRUE(r) << r.error().message;
  const auto text = log.text();
  const auto first_line = text.substr(0, text.find('\n'));
  auto warning = boost::json::parse(first_line);
  EXPECT_EQ(warning.at("level"), "warning");
  EXPECT_NE(first_line.find("VERIFICATION IS DISABLED"), std::string::npos) << first_line;
}

TEST_F(kizen_tls, kept_alive_tls_connections_are_reused) {
  auto settings = settings_for(emu_);
  settings.ca_file = good_.first;
  auto kizen = make(settings);
  for (int i = 0; i < 5; ++i) {
    auto r = run(kizen->lookup_record("client_client", "t" + std::to_string(i) + "@example.com"));
    ASSERT_TRUE(r) << r.error().message;
  }
  EXPECT_EQ(kizen->stats().connections_opened, 1u);
  EXPECT_EQ(kizen->stats().reused_requests, 4u);
}

TEST_F(kizen_tls, search_pages_are_followed_over_https) {
  auto settings = settings_for(emu_);
  settings.ca_file = good_.first;
  auto kizen = make(settings);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(run(kizen->upsert_record("client_client", "s" + std::to_string(i) + "@example.com", {})));
  search_query q;
  q.page_size = 1;
  auto page = run(kizen->search_records("client_client", q));
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_TRUE(page->next);
  EXPECT_EQ(page->next->rfind("https://", 0), 0u) << *page->next;  // the next page is on the same origin
  int records = static_cast<int>(page->results.size());
  while (page->next) {
    page = run(kizen->search_next(*page->next, q));
    ASSERT_TRUE(page) << page.error().message;
    records += static_cast<int>(page->results.size());
  }
  EXPECT_EQ(records, 3);
}

TEST_F(kizen_tls, an_unreadable_ca_file_is_a_clear_error_at_start) {
  auto settings = settings_for(emu_);
  settings.ca_file = (dir_.path / "missing.pem").string();
  auto made = client::create(io_.get_executor(), settings, nullptr);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().kind, error_kind::invalid_request);
  EXPECT_NE(made.error().message.find("missing.pem"), std::string::npos) << made.error().message;
}

}  // namespace
}  // namespace ks::kizen::test
