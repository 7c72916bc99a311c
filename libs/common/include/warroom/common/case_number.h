// Case numbers a resident can quote: <province><yy>-<7-digit sequence>-<check digit>, e.g.
// GP26-0001234-9. The check digit is Damm's over the nine digits <yy><sequence>; it catches every
// single-digit error and every adjacent transposition, the mistakes of a number read aloud.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "warroom/common/status.h"

namespace warroom {

// Damm check digit of a string of decimal digits (0 for the empty string).
int DammCheckDigit(std::string_view digits);

struct CaseNumber {
  std::string province;  // two capital letters, e.g. "GP"
  int year = 0;          // two digits, 0..99
  int64_t sequence = 0;  // 1..9,999,999

  std::string ToString() const;
  // A sort key that grows with the year and the sequence (newest first in lists).
  int64_t Ordinal() const { return static_cast<int64_t>(year) * 10'000'000 + sequence; }
};

inline constexpr int64_t kMaxCaseSequence = 9'999'999;

CaseNumber MakeCaseNumber(std::string province, int year, int64_t sequence);

// Parses and checks a case number. A wrong shape says what is expected; a wrong check digit says
// the number is mistyped. field names the request field for the violation.
StatusOr<CaseNumber> ParseCaseNumber(std::string_view text, std::string_view field = "case_number");

}  // namespace warroom
