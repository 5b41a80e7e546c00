#include "daemon/service/status_server.hpp"

#include <gtest/gtest.h>

using ks::service::parse_listen_address;

TEST(listen_address, parses_v4_v6_and_localhost) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:9464").port(), 9464);
  EXPECT_EQ(parse_listen_address("[::1]:80").address().to_string(), "::1");
  EXPECT_EQ(parse_listen_address("localhost:0").address().to_string(), "127.0.0.1");
}

TEST(listen_address, rejects_bad_input_with_reason) {
  auto message = [](const char* text) {
    try {
      parse_listen_address(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message("9464"), "'9464' is not host:port");
  EXPECT_EQ(message("127.0.0.1:99999"), "'127.0.0.1:99999': port must be 0-65535");
  EXPECT_EQ(message("example.com:80"), "'example.com:80': 'example.com' is not an IP address");
  EXPECT_EQ(message("[::1:80"), "'[::1:80' is not [address]:port");
}
