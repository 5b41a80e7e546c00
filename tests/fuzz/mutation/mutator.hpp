#pragma once
// Seeded byte- and structure-level mutations for the fuzz tests.

#include <boost/json/value.hpp>
#include <cstdint>
#include <random>
#include <string>

namespace ks::fuzz {

// Iterations per fuzz test: KS_FUZZ_ITERATIONS, or `fallback`.
int iterations(int fallback);

class mutator {
 public:
  explicit mutator(std::uint64_t seed) : rng_(seed) {}
  // 1-4 edits: flip, insert, delete, duplicate a slice, splice in a YAML/JSON token.
  std::string mutate(std::string text);
  // A random JSON value of bounded depth (strings may hold control bytes and invalid UTF-8).
  boost::json::value random_json(int depth = 3);
  std::uint64_t next(std::uint64_t bound) { return bound == 0 ? 0 : rng_() % bound; }

 private:
  std::mt19937_64 rng_;
};

}  // namespace ks::fuzz
