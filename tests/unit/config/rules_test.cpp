// The single-value rules: durations, SQL identifiers, base URLs, key suggestions.

#include <gtest/gtest.h>

#include "config/config_loader.hpp"
#include "config/duration_text.hpp"
#include "config/key_suggestion.hpp"
#include "config/sql_identifier.hpp"
#include "config/url_rules.hpp"

namespace ks::config {
namespace {

using namespace std::chrono_literals;

TEST(duration, every_unit) {
  EXPECT_EQ(parse_duration("250ms"), duration(250));
  EXPECT_EQ(parse_duration("15s"), duration(15s));
  EXPECT_EQ(parse_duration("5m"), duration(5min));
  EXPECT_EQ(parse_duration("1h"), duration(1h));
  EXPECT_EQ(parse_duration("7d"), duration(std::chrono::hours(7 * 24)));
  EXPECT_EQ(parse_duration("0ms"), duration(0));
  EXPECT_EQ(parse_duration("007s"), duration(7s));
}

TEST(duration, upper_bound_is_ten_years) {
  EXPECT_EQ(parse_duration("3650d"), max_config_duration);
  EXPECT_EQ(parse_duration("3651d"), std::nullopt);
  EXPECT_EQ(parse_duration("315360000001ms"), std::nullopt);
  EXPECT_EQ(parse_duration("99999999999999999999999999s"), std::nullopt);
  EXPECT_NE(parse_duration_text("99999999999999999999999999s").error().find("too large"), std::string::npos);
}

TEST(duration, bad_inputs) {
  for (const char* text : {"", "15", "s", "ms", "-5s", "+5s", "1.5s", "15 s", " 15s", "15s ", "15sec", "15S", "15MS",
                           "1h30m", "5m5", "0x10s", "1e3ms", "abc"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(duration, errors_say_what_is_missing) {
  EXPECT_EQ(parse_duration_text("15").error(), "is missing its unit (ms, s, m, h or d), e.g. 15s or 250ms");
  EXPECT_EQ(parse_duration_text("15sec").error(), "has an unknown unit; use ms, s, m, h or d");
  EXPECT_EQ(parse_duration_text("-1s").error(), "must not be negative");
  EXPECT_NE(parse_duration_text("1.5s").error().find("whole number"), std::string::npos);
  EXPECT_NE(parse_duration_text("s").error().find("must start with a whole number"), std::string::npos);
  EXPECT_NE(parse_duration_text("").error().find("is empty"), std::string::npos);
}

TEST(sql_identifier, accepts_what_a_quoted_identifier_accepts) {
  for (std::string_view name : {"customers", "Customers", "with space", "with\"quote", "dot.ted", "ünïcødé", "x",
                                "select", "1starts_with_digit"}) {
    EXPECT_EQ(sql_identifier_problem(name), std::nullopt) << name;
  }
  EXPECT_EQ(sql_identifier_problem(std::string(63, 'a')), std::nullopt);
}

TEST(sql_identifier, rejects_empty_long_nul_and_bad_utf8) {
  EXPECT_EQ(sql_identifier_problem(""), "is empty");
  EXPECT_EQ(sql_identifier_problem(std::string(64, 'a')), "is 64 bytes long; PostgreSQL allows at most 63");
  // 32 two-byte characters: 64 bytes although only 32 characters.
  std::string wide;
  for (int i = 0; i < 32; ++i) wide += "\xc3\xa9";
  EXPECT_EQ(sql_identifier_problem(wide), "is 64 bytes long; PostgreSQL allows at most 63");
  EXPECT_EQ(sql_identifier_problem(std::string("a\0b", 3)), "contains a NUL character");
  EXPECT_EQ(sql_identifier_problem("\xff"), "is not valid UTF-8");
  EXPECT_EQ(sql_identifier_problem("\xc3"), "is not valid UTF-8");
  EXPECT_EQ(sql_identifier_problem("\xc0\xaf"), "is not valid UTF-8");      // overlong '/'
  EXPECT_EQ(sql_identifier_problem("\xed\xa0\x80"), "is not valid UTF-8");  // surrogate
}

TEST(sql_identifier, quoting) {
  EXPECT_EQ(quote_identifier("customers"), "\"customers\"");
  EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(quote_qualified("public", "Customers"), "\"public\".\"Customers\"");
}

TEST(url_rules, loopback_hosts) {
  for (std::string_view h :
       {"localhost", "LocalHost", "127.0.0.1", "127.255.255.254", "::1", "[::1]", "0:0:0:0:0:0:0:1"}) {
    EXPECT_TRUE(is_loopback_host(h)) << h;
  }
  for (std::string_view h : {"localhost.example.com", "128.0.0.1", "10.0.0.1", "::2", "[::]", "127.0.0.1.example.com",
                             "", "kizen.example.com"}) {
    EXPECT_FALSE(is_loopback_host(h)) << h;
  }
}

TEST(url_rules, base_urls) {
  EXPECT_EQ(base_url_problem("https://app.go.kizen.com"), std::nullopt);
  EXPECT_EQ(base_url_problem("https://app.go.kizen.com:8443/prefix"), std::nullopt);
  EXPECT_EQ(base_url_problem("HTTPS://app.go.kizen.com"), std::nullopt);
  EXPECT_EQ(base_url_problem("http://127.0.0.1:8089"), std::nullopt);
  EXPECT_TRUE(base_url_problem("http://app.go.kizen.com"));
  EXPECT_TRUE(base_url_problem("http://[::2]:80"));
  EXPECT_TRUE(base_url_problem("ws://localhost"));
  EXPECT_TRUE(base_url_problem("https:/app.go.kizen.com"));
  EXPECT_TRUE(base_url_problem("https://app.go.kizen.com#frag"));
  EXPECT_TRUE(base_url_problem("https://app.go.kizen.com:0"));
  EXPECT_TRUE(base_url_problem("https://app.go.kizen.com:65536"));
  EXPECT_TRUE(base_url_problem("https://app.go.kizen.com:99999"));
  EXPECT_EQ(base_url_problem("https://app.go.kizen.com:65535"), std::nullopt);
  EXPECT_TRUE(base_url_problem("https://app.go .kizen.com"));
  EXPECT_EQ(normalize_base_url("https://a.example.com//"), "https://a.example.com");
  EXPECT_EQ(normalize_base_url("https://a.example.com/p/"), "https://a.example.com/p");
}

TEST(key_suggestion, suggests_only_likely_typos) {
  const std::vector<std::string_view> keys = {"max_connections", "max_requests_per_second", "retry", "tls_verify"};
  EXPECT_EQ(closest_match("max_conections", keys), "max_connections");
  EXPECT_EQ(closest_match("MAX_CONNECTIONS", keys), "max_connections");
  EXPECT_EQ(closest_match("retyr", keys), "retry");  // swapped letters
  EXPECT_EQ(closest_match("tls_verfiy", keys), "tls_verify");
  EXPECT_EQ(closest_match("colour", keys), std::nullopt);
  EXPECT_EQ(closest_match("warning", {"trace", "debug", "info", "warn", "error"}), "warn");
  EXPECT_EQ(closest_match("inf", {"trace", "debug", "info", "warn", "error"}), "info");
  EXPECT_EQ(closest_match(std::string(500, 'a'), keys), std::nullopt);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

}  // namespace
}  // namespace ks::config
