#include "mutator.hpp"

#include <cstdlib>
#include <limits>

namespace ks::fuzz {

int iterations(int fallback) {
  if (const char* v = std::getenv("KS_FUZZ_ITERATIONS")) return std::max(1, std::atoi(v));
  return fallback;
}

std::string mutator::mutate(std::string text) {
  static const char* tokens[] = {":",
                                 "- ",
                                 "{",
                                 "}",
                                 "[",
                                 "]",
                                 "\n",
                                 "  ",
                                 "${",
                                 "}",
                                 "$$",
                                 "\"",
                                 "'",
                                 "&a",
                                 "*a",
                                 "!!binary",
                                 "~",
                                 "null",
                                 "0x",
                                 "-1",
                                 "1e999",
                                 "\t",
                                 "#",
                                 "---",
                                 "...",
                                 "%",
                                 "\xff",
                                 "\xc3",
                                 std::string("\0", 1).c_str()};
  const int edits = 1 + static_cast<int>(next(4));
  for (int e = 0; e < edits; ++e) {
    const std::size_t pos = text.empty() ? 0 : next(text.size());
    switch (next(5)) {
      case 0:
        if (!text.empty()) text[pos] = static_cast<char>(text[pos] ^ (1 << next(8)));
        break;
      case 1: text.insert(pos, 1, static_cast<char>(next(256))); break;
      case 2: text.erase(pos, 1 + next(8)); break;
      case 3: {
        const std::size_t len = 1 + next(32);
        text.insert(next(text.size() + 1), text.substr(pos, len));
        break;
      }
      default: text.insert(pos, tokens[next(sizeof tokens / sizeof tokens[0])]); break;
    }
  }
  return text;
}

boost::json::value mutator::random_json(int depth) {
  switch (next(depth > 0 ? 9 : 7)) {
    case 0: return nullptr;
    case 1: return next(2) == 1;
    case 2: return static_cast<std::int64_t>(rng_());
    case 3: return static_cast<double>(static_cast<std::int64_t>(rng_())) / 1e3;
    case 4: return std::numeric_limits<std::uint64_t>::max() - next(5);
    case 5: {
      static const char* samples[] = {"",
                                      "2024-02-30",
                                      "2024-03-01T10:15:30.123+02:00",
                                      "12.50",
                                      "-.5",
                                      "Customer",
                                      "0f8fad5b-d9cb-469f-a165-70867728950e",
                                      "9999999999999999999999",
                                      "\xff\xfe",
                                      "a\nb",
                                      "1e5",
                                      "true"};
      return boost::json::value(samples[next(sizeof samples / sizeof samples[0])]);
    }
    case 6: {
      std::string s;
      for (std::size_t i = 0, n = next(12); i < n; ++i) s += static_cast<char>(next(256));
      return boost::json::value(s);
    }
    case 7: {
      boost::json::array a;
      for (std::size_t i = 0, n = next(4); i < n; ++i) a.push_back(random_json(depth - 1));
      return a;
    }
    default: {
      boost::json::object o;
      static const char* keys[] = {"id", "name", "value", "display_name", "x"};
      for (std::size_t i = 0, n = next(3); i < n; ++i) o[keys[next(5)]] = random_json(depth - 1);
      return o;
    }
  }
}

}  // namespace ks::fuzz
