#pragma once
// NUMBER values. Kintone stores a NUMBER as text and normalises it on save ("1.5e1" reads back
// "15", " 42 " reads back "42"). The emulator does the same with exact decimal arithmetic: the
// canonical form has no sign for positives, no exponent, no leading zeros and no trailing
// fractional zeros ("-0" and "0.000" read back "0").

#include <optional>
#include <string>
#include <string_view>

namespace kintone_emulator {

// The canonical text of `text`, or nullopt when it is not a decimal number (commas, hex, words,
// an empty string, or more than 100 digits once the exponent is applied).
std::optional<std::string> normalise_number(std::string_view text);

// Orders two canonical numbers: negative, zero or positive as a < b, a == b, a > b.
int compare_numbers(std::string_view a, std::string_view b);

}  // namespace kintone_emulator
