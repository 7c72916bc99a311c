// South African phone and identity numbers: the checks intake and household apply to personal
// details before storing them (the details themselves never leave those services' stores).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace warroom {

// Accepts 0XX XXX XXXX, +27 XX XXX XXXX and 27XXXXXXXXX with spaces or dashes; returns the
// number in E.164 (+27XXXXXXXXX), or nothing when it is not a South African number.
std::optional<std::string> NormalizeSaPhone(std::string_view text);

// Why a 13-digit SA ID number is invalid, or nothing when it is valid: YYMMDD a real date, then
// SSSS, citizenship 0 or 1, a digit, and a Luhn check digit.
std::optional<std::string> SaIdNumberProblem(std::string_view id);

// A plain shape check of an e-mail address (one @, a dot in the domain, no spaces).
bool LooksLikeEmail(std::string_view text);

}  // namespace warroom
