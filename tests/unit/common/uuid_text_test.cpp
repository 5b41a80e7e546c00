// UUID text checks, shared by both connectors and the engine.
#include "common/uuid_text.hpp"

#include <gtest/gtest.h>

namespace ks {
namespace {

TEST(uuid_text, check_and_normalisation) {
  EXPECT_TRUE(is_uuid("5f0c3a5e-8d7b-4c1e-9a51-3b2f6d7e8a90"));
  EXPECT_TRUE(is_uuid("5F0C3A5E-8D7B-4C1E-9A51-3B2F6D7E8A90"));
  EXPECT_FALSE(is_uuid("5f0c3a5e8d7b4c1e9a513b2f6d7e8a90"));
  EXPECT_FALSE(is_uuid("5f0c3a5e-8d7b-4c1e-9a51-3b2f6d7e8a9g"));
  EXPECT_FALSE(is_uuid("5f0c3a5e-8d7b-4c1e-9a51-3b2f6d7e8a9"));
  EXPECT_FALSE(is_uuid(""));
  EXPECT_EQ(normalize_uuid("5F0C3A5E-8D7B-4C1E-9A51-3B2F6D7E8A90"), "5f0c3a5e-8d7b-4c1e-9a51-3b2f6d7e8a90");
}

TEST(uuid_text, upper_case_and_malformed_ids) {
  EXPECT_TRUE(is_uuid("0f8fad5b-d9cb-469f-a165-70867728950e"));
  EXPECT_TRUE(is_uuid("0F8FAD5B-D9CB-469F-A165-70867728950E"));
  EXPECT_FALSE(is_uuid("0f8fad5b-d9cb-469f-a165-70867728950"));
  EXPECT_FALSE(is_uuid("0f8fad5bxd9cb-469f-a165-70867728950e"));
  EXPECT_FALSE(is_uuid("0f8fad5b-d9cb-469f-a165-70867728950g"));
}

}  // namespace
}  // namespace ks
