#include "connectors/kizen/endpoint.hpp"

#include <gtest/gtest.h>

namespace ks::kizen {
namespace {

TEST(endpoint, parses_https_with_default_and_explicit_ports) {
  auto ep = endpoint::parse("https://app.go.kizen.com");
  ASSERT_TRUE(ep) << ep.error();
  EXPECT_TRUE(ep->tls);
  EXPECT_EQ(ep->host, "app.go.kizen.com");
  EXPECT_EQ(ep->port, 443);
  EXPECT_EQ(ep->path_prefix, "");
  EXPECT_EQ(ep->host_header(), "app.go.kizen.com");
  EXPECT_FALSE(ep->loopback);

  auto ported = endpoint::parse("https://App.Example.com:8443/kizen/");
  ASSERT_TRUE(ported) << ported.error();
  EXPECT_EQ(ported->host, "app.example.com");
  EXPECT_EQ(ported->port, 8443);
  EXPECT_EQ(ported->path_prefix, "/kizen");
  EXPECT_EQ(ported->host_header(), "app.example.com:8443");
}

TEST(endpoint, plain_http_only_for_loopback_hosts) {
  for (const char* ok : {"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9000", "http://127.1.2.3"}) {
    auto ep = endpoint::parse(ok);
    ASSERT_TRUE(ep) << ok << ": " << ep.error();
    EXPECT_FALSE(ep->tls);
    EXPECT_TRUE(ep->loopback);
  }
  for (const char* bad :
       {"http://app.go.kizen.com", "http://10.0.0.1:80", "http://128.0.0.1", "http://localhost.evil.com"}) {
    auto ep = endpoint::parse(bad);
    ASSERT_FALSE(ep) << bad;
    EXPECT_NE(ep.error().find("only allowed for loopback"), std::string::npos) << ep.error();
  }
}

TEST(endpoint, ipv6_host_header_has_brackets) {
  auto ep = endpoint::parse("http://[::1]:9000");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->host, "::1");
  EXPECT_EQ(ep->host_header(), "[::1]:9000");
}

TEST(endpoint, refuses_malformed_base_urls) {
  for (const char* bad :
       {"", "app.go.kizen.com", "ftp://x.com", "https://", "https://user:pw@x.com", "https://x.com/?a=1",
        "https://x.com/#f", "https://x.com:99999", "https://x.com:0", "https://x .com"}) {
    EXPECT_FALSE(endpoint::parse(bad)) << bad;
  }
}

TEST(endpoint, follows_next_urls_on_the_same_origin_only) {
  auto ep = endpoint::parse("https://app.go.kizen.com");
  ASSERT_TRUE(ep);
  auto same = ep->same_origin_target("https://APP.go.kizen.com/api/records/x/search?page=2&page_size=50");
  ASSERT_TRUE(same) << same.error();
  EXPECT_EQ(*same, "/api/records/x/search?page=2&page_size=50");
  auto explicit_port = ep->same_origin_target("https://app.go.kizen.com:443/api/x?page=3");
  ASSERT_TRUE(explicit_port);
  EXPECT_EQ(*explicit_port, "/api/x?page=3");
  auto relative = ep->same_origin_target("/api/x?page=3");
  ASSERT_TRUE(relative);
  EXPECT_EQ(*relative, "/api/x?page=3");

  for (const char* other : {"https://evil.example.com/api/x?page=2", "http://app.go.kizen.com/api/x?page=2",
                            "https://app.go.kizen.com:8443/api/x", "//evil.example.com/api/x", "api/x?page=2",
                            "https://user@app.go.kizen.com/api/x", "not a url"}) {
    auto r = ep->same_origin_target(other);
    EXPECT_FALSE(r) << other;
  }
  auto r = ep->same_origin_target("https://evil.example.com/api/x?page=2");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("evil.example.com"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace ks::kizen
