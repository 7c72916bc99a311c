#include "warroom/common/sa_identity.h"

namespace warroom {

std::optional<std::string> NormalizeSaPhone(std::string_view text) {
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '+' && i == 0) {
      continue;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')') {
      return std::nullopt;
    }
  }
  std::string national;  // the 9 digits after 0 or 27
  if (digits.size() == 10 && digits[0] == '0') {
    national = digits.substr(1);
  } else if (digits.size() == 11 && digits.compare(0, 2, "27") == 0) {
    national = digits.substr(2);
  } else {
    return std::nullopt;
  }
  // National numbers start with an area or mobile code: never 0.
  if (national[0] == '0') return std::nullopt;
  return "+27" + national;
}

namespace {

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

}  // namespace

std::optional<std::string> SaIdNumberProblem(std::string_view id) {
  if (id.size() != 13) return "must be 13 digits";
  for (char c : id) {
    if (c < '0' || c > '9') return "must be 13 digits";
  }
  int yy = (id[0] - '0') * 10 + (id[1] - '0');
  int mm = (id[2] - '0') * 10 + (id[3] - '0');
  int dd = (id[4] - '0') * 10 + (id[5] - '0');
  // The century is not in the number; both are checked for a real date (29 Feb needs a leap year
  // in the one it must be, and 00 is a leap year in 2000 and not in 1900).
  bool real_date = mm >= 1 && mm <= 12 && dd >= 1 &&
                   (dd <= DaysInMonth(2000 + yy, mm) || dd <= DaysInMonth(1900 + yy, mm));
  if (!real_date) return "the first six digits are not a date of birth (YYMMDD)";
  if (id[10] != '0' && id[10] != '1') return "the citizenship digit (11th) must be 0 or 1";
  int sum = 0;
  for (int i = 0; i < 13; ++i) {
    int d = id[12 - i] - '0';
    if (i % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  if (sum % 10 != 0) return "the check digit is wrong (Luhn)";
  return std::nullopt;
}

bool LooksLikeEmail(std::string_view text) {
  auto at = text.find('@');
  if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  auto domain = text.substr(at + 1);
  auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size()) return false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n') return false;
  }
  return text.size() <= 254;
}

}  // namespace warroom
