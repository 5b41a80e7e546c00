#include "connectors/postgres/open_connection.hpp"

#include <gtest/gtest.h>

namespace ks::pg {
namespace {

TEST(pg_redact_url, uri_password_in_user_info_is_masked) {
  EXPECT_EQ(redact_url("postgresql://sync:s3cr%40t@db.example.com:5432/app"),
            "postgresql://sync:***@db.example.com:5432/app");
  EXPECT_EQ(redact_url("postgres://sync:pw@db/app?sslmode=require"), "postgres://sync:***@db/app?sslmode=require");
}

TEST(pg_redact_url, uri_password_parameter_is_masked) {
  EXPECT_EQ(redact_url("postgresql:///app?host=/tmp&password=hunter2&user=x"),
            "postgresql:///app?host=/tmp&password=***&user=x");
}

TEST(pg_redact_url, keyword_value_password_is_masked_quoted_or_not) {
  EXPECT_EQ(redact_url("host=db user=sync password=hunter2 dbname=app"), "host=db user=sync password=*** dbname=app");
  EXPECT_EQ(redact_url("host=db password = 'it\\'s secret' dbname=app"), "host=db password = *** dbname=app");
}

TEST(pg_redact_url, strings_without_password_are_unchanged) {
  EXPECT_EQ(redact_url("postgresql://sync@db/app"), "postgresql://sync@db/app");
  EXPECT_EQ(redact_url("postgresql:///postgres?host=/tmp/x&port=5432&user=postgres"),
            "postgresql:///postgres?host=/tmp/x&port=5432&user=postgres");
  EXPECT_EQ(redact_url("dbname=app"), "dbname=app");
  EXPECT_EQ(redact_url(""), "");
}

TEST(pg_redact_url, unparseable_strings_are_not_shown) {
  EXPECT_EQ(redact_url("password='unterminated"), "(unparseable connection string)");
  EXPECT_EQ(redact_url("justsomesecret"), "(unparseable connection string)");
  EXPECT_EQ(redact_url("postgresql://u:p%zz@h/db"), "(unparseable connection string)");
}

TEST(pg_parse_conninfo, uri_parts_and_parameters) {
  const auto o = parse_conninfo("postgresql://us%20er:pw@h:1/my%20db?application_name=a%2Bb");
  ASSERT_TRUE(o.has_value());
  ASSERT_EQ(o->size(), 4u);
  EXPECT_EQ((*o)[0].key, "user");
  EXPECT_EQ((*o)[0].value, "us er");
  EXPECT_EQ((*o)[1].key, "password");
  EXPECT_EQ((*o)[2].key, "dbname");
  EXPECT_EQ((*o)[2].value, "my db");
  EXPECT_EQ((*o)[3].key, "application_name");
  EXPECT_EQ((*o)[3].value, "a+b");
}

TEST(pg_connection_string, adds_application_name_and_timeout_to_a_uri) {
  connection_settings s;
  s.url = "postgresql://sync@db/app";
  s.application_name = "kizen-sync migrate";
  s.connect_timeout = std::chrono::seconds(7);
  EXPECT_EQ(connection_string(s).value(),
            "postgresql://sync@db/app?application_name=kizen-sync%20migrate&connect_timeout=7");
  s.url = "postgresql://sync@db/app?sslmode=require";
  EXPECT_EQ(connection_string(s).value(),
            "postgresql://sync@db/app?sslmode=require&application_name=kizen-sync%20migrate"
            "&connect_timeout=7");
}

TEST(pg_connection_string, adds_quoted_keywords_to_a_keyword_value_string) {
  connection_settings s;
  s.url = "host=db dbname=app";
  s.application_name = "it's";
  s.connect_timeout = std::chrono::seconds(3);
  s.keepalive_idle = std::chrono::seconds(20);
  EXPECT_EQ(connection_string(s).value(),
            "host=db dbname=app application_name='it\\'s' connect_timeout='3' keepalives='1' "
            "keepalives_idle='20' keepalives_interval='20' keepalives_count='3' tcp_user_timeout='80000'");
  s.url = "";
  s.keepalive_idle.reset();
  EXPECT_EQ(connection_string(s).value(), "application_name='it\\'s' connect_timeout='3'");
}

TEST(pg_connection_string, options_set_by_the_url_win) {
  connection_settings s;
  s.url = "host=db connect_timeout=30 application_name=mine";
  EXPECT_EQ(connection_string(s).value(), "host=db connect_timeout=30 application_name=mine");
  s.url = "postgresql:///app?connect_timeout=30";
  EXPECT_EQ(connection_string(s).value(), "postgresql:///app?connect_timeout=30&application_name=kizen-sync");
}

TEST(pg_connection_string, malformed_url_is_an_error) {
  connection_settings s;
  s.url = "host='oops";
  EXPECT_FALSE(connection_string(s).has_value());
  const auto opened = open_connection(s);
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().find("malformed"), std::string::npos);
}

TEST(pg_open_connection, failure_names_the_server_without_its_password) {
  connection_settings s;
  // A socket directory that does not exist: fails at once, without a network.
  s.url = "postgresql://sync:hunter2@/app?host=/nonexistent-ks-dir&port=1";
  const auto opened = open_connection(s);
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().find("cannot connect to PostgreSQL at postgresql://sync:***@/app"), std::string::npos)
      << opened.error();
  EXPECT_EQ(opened.error().find("hunter2"), std::string::npos) << opened.error();
}

}  // namespace
}  // namespace ks::pg
