// Mutated config files: the loader answers with a config or with located problems, never a
// crash, a hang or an exception.
#include "config/config_loader.hpp"
#include "mutator.hpp"

#include <gtest/gtest.h>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace {

std::string full_example() {
  std::ifstream in(KS_FULL_EXAMPLE);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const ks::config::env_lookup test_env = [](const std::string& name) -> std::optional<std::string> {
  if (name.rfind("KIZEN_", 0) == 0 || name == "DATABASE_URL") return "value-of-" + name;
  return std::nullopt;
};

}  // namespace

TEST(config_fuzz, mutated_configs_load_or_report_problems) {
  const std::string seed_text = full_example();
  ASSERT_FALSE(seed_text.empty());
  ks::fuzz::mutator m(20261122);
  int loaded = 0, rejected = 0;
  for (int i = 0, n = ks::fuzz::iterations(3000); i < n; ++i) {
    const std::string text = m.mutate(seed_text);
    if (const char* dump = std::getenv("KS_FUZZ_DUMP"))
      std::ofstream(dump, std::ios::trunc) << text;  // to reproduce a hang
    ks::result<ks::config::config, std::vector<ks::config::problem>> r = ks::fail(std::vector<ks::config::problem>{});
    ASSERT_NO_THROW(r = ks::config::load_config_text(text, "fuzz.yaml", test_env)) << "iteration " << i;
    if (r) {
      ++loaded;
      continue;
    }
    ++rejected;
    ASSERT_FALSE(r.error().empty()) << "rejected without a reason, iteration " << i;
    for (const auto& p : r.error()) {
      EXPECT_FALSE(p.message.empty()) << "iteration " << i;
      EXPECT_EQ(p.to_string().find("value-of-KIZEN_API_KEY"), std::string::npos) << "secret in: " << p.to_string();
    }
  }
  // Both outcomes occur, or the mutations are not exercising anything.
  EXPECT_GT(loaded, 0);
  EXPECT_GT(rejected, 0);
}
