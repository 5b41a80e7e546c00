#include "common/log_line.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

TEST(log_line, renders_a_json_body_that_the_pattern_wraps) {
  const std::string body = ks::log_line(
      "change applied", {{"object", "client_client"}, {"key", std::string("42")}, {"attempt", 3}, {"ok", true}});
  EXPECT_EQ(body, R"("msg":"change applied","object":"client_client","key":"42","attempt":3,"ok":true)");
  // Wrapped the way json_log_pattern does, it is one valid JSON object.
  const auto parsed = boost::json::parse("{" + body + "}");
  EXPECT_EQ(parsed.at("attempt").as_int64(), 3);
}

TEST(log_line, escapes_quotes_and_control_characters) {
  const std::string body = ks::log_line("bad \"row\"\n", {{"value", "a\tb"}});
  const auto parsed = boost::json::parse("{" + body + "}");
  EXPECT_EQ(parsed.at("msg").as_string(), "bad \"row\"\n");
  EXPECT_EQ(parsed.at("value").as_string(), "a\tb");
}
