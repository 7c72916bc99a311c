#include "warroom/common/case_number.h"

#include <array>
#include <cstdio>

namespace warroom {

namespace {

// The totally anti-symmetric quasigroup of order 10 from Damm's thesis (2004).
constexpr std::array<std::array<uint8_t, 10>, 10> kDamm = {{
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
    {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
    {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
    {6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
    {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
    {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
    {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}};

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

}  // namespace

int DammCheckDigit(std::string_view digits) {
  int interim = 0;
  for (char c : digits) interim = kDamm[interim][c - '0'];
  return interim;
}

std::string CaseNumber::ToString() const {
  char digits[16];
  std::snprintf(digits, sizeof(digits), "%02d%07lld", year, static_cast<long long>(sequence));
  char out[32];
  std::snprintf(out, sizeof(out), "%s%02d-%07lld-%d", province.c_str(), year,
                static_cast<long long>(sequence), DammCheckDigit(digits));
  return out;
}

CaseNumber MakeCaseNumber(std::string province, int year, int64_t sequence) {
  return CaseNumber{std::move(province), year, sequence};
}

StatusOr<CaseNumber> ParseCaseNumber(std::string_view text, std::string_view field) {
  // PPyy-sssssss-c : 14 characters.
  auto shape_error = [&] {
    std::string why = "'";
    why.append(text.substr(0, 40));
    why.append("' is not a case number like GP26-0001234-9");
    return InvalidArgumentError("not a case number", {{std::string(field), std::move(why)}});
  };
  if (text.size() != 14 || text[4] != '-' || text[12] != '-') return shape_error();
  std::string_view province = text.substr(0, 2);
  if (!(province[0] >= 'A' && province[0] <= 'Z' && province[1] >= 'A' && province[1] <= 'Z')) {
    return shape_error();
  }
  std::string_view yy = text.substr(2, 2);
  std::string_view seq = text.substr(5, 7);
  std::string_view check = text.substr(13, 1);
  if (!AllDigits(yy) || !AllDigits(seq) || !AllDigits(check)) return shape_error();
  std::string digits = std::string(yy) + std::string(seq);
  if (DammCheckDigit(digits) != check[0] - '0') {
    return InvalidArgumentError(
        "case number is mistyped",
        {{std::string(field), "the check digit of " + std::string(text) +
                                  " does not match: the number is mistyped, please read it again"}});
  }
  CaseNumber n{std::string(province), std::stoi(std::string(yy)), std::stoll(std::string(seq))};
  if (n.sequence == 0) return shape_error();
  return n;
}

}  // namespace warroom
