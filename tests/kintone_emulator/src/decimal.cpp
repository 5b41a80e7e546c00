#include "decimal.hpp"

#include <cctype>

namespace kintone_emulator {

namespace {

constexpr std::size_t max_digits = 100;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct parts {
  bool negative = false;
  std::string int_part;   // no leading zeros ("" for zero)
  std::string frac_part;  // no trailing zeros
};

parts split(std::string_view canonical) {
  parts p;
  if (!canonical.empty() && canonical[0] == '-') {
    p.negative = true;
    canonical.remove_prefix(1);
  }
  const auto dot = canonical.find('.');
  p.int_part = std::string(canonical.substr(0, dot));
  if (p.int_part == "0") p.int_part.clear();
  if (dot != std::string_view::npos) p.frac_part = std::string(canonical.substr(dot + 1));
  return p;
}

int compare_magnitude(const parts& a, const parts& b) {
  if (a.int_part.size() != b.int_part.size()) return a.int_part.size() < b.int_part.size() ? -1 : 1;
  if (const int c = a.int_part.compare(b.int_part)) return c < 0 ? -1 : 1;
  const std::size_t n = std::max(a.frac_part.size(), b.frac_part.size());
  for (std::size_t i = 0; i < n; ++i) {
    const char x = i < a.frac_part.size() ? a.frac_part[i] : '0';
    const char y = i < b.frac_part.size() ? b.frac_part[i] : '0';
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

}  // namespace

std::optional<std::string> normalise_number(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  std::string mantissa;  // all digits, the point removed
  long long point = 0;   // digits before the point
  bool any_digit = false;
  while (i < text.size() && is_digit(text[i])) {
    mantissa += text[i++];
    any_digit = true;
  }
  point = static_cast<long long>(mantissa.size());
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) {
      mantissa += text[i++];
      any_digit = true;
    }
  }
  if (!any_digit) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i >= text.size() || !is_digit(text[i])) return std::nullopt;
    long long exp = 0;
    while (i < text.size() && is_digit(text[i])) {
      exp = exp * 10 + (text[i++] - '0');
      if (exp > 100000) return std::nullopt;
    }
    point += exp_negative ? -exp : exp;
  }
  if (i != text.size()) return std::nullopt;
  // Place the point, then trim zeros on both ends.
  std::string int_part, frac_part;
  if (point <= 0) {
    frac_part = std::string(static_cast<std::size_t>(-point), '0') + mantissa;
  } else if (static_cast<std::size_t>(point) >= mantissa.size()) {
    int_part = mantissa + std::string(static_cast<std::size_t>(point) - mantissa.size(), '0');
  } else {
    int_part = mantissa.substr(0, static_cast<std::size_t>(point));
    frac_part = mantissa.substr(static_cast<std::size_t>(point));
  }
  const auto first = int_part.find_first_not_of('0');
  int_part = first == std::string::npos ? std::string() : int_part.substr(first);
  const auto last = frac_part.find_last_not_of('0');
  frac_part = last == std::string::npos ? std::string() : frac_part.substr(0, last + 1);
  if (int_part.size() + frac_part.size() > max_digits) return std::nullopt;
  std::string out = int_part.empty() ? "0" : int_part;
  if (!frac_part.empty()) out += "." + frac_part;
  if (negative && out != "0") out = "-" + out;
  return out;
}

int compare_numbers(std::string_view a, std::string_view b) {
  const parts x = split(a), y = split(b);
  const bool x_zero = x.int_part.empty() && x.frac_part.empty();
  const bool y_zero = y.int_part.empty() && y.frac_part.empty();
  const bool x_neg = x.negative && !x_zero, y_neg = y.negative && !y_zero;
  if (x_neg != y_neg) return x_neg ? -1 : 1;
  const int m = compare_magnitude(x, y);
  return x_neg ? -m : m;
}

}  // namespace kintone_emulator
