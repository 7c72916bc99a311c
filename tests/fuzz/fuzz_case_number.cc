// Case numbers as residents type them: whatever the bytes, parsing answers OK or INVALID_ARGUMENT
// with a field violation, and a number that parses prints back to itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "warroom/common/case_number.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = warroom::ParseCaseNumber(text);
  if (!parsed.ok()) {
    if (parsed.status().code() != warroom::StatusCode::kInvalidArgument) __builtin_trap();
    if (parsed.status().violations().empty()) __builtin_trap();
    return 0;
  }
  std::string printed = parsed->ToString();
  auto again = warroom::ParseCaseNumber(printed);
  if (!again.ok() || again->ToString() != printed || again->Ordinal() != parsed->Ordinal()) __builtin_trap();
  return 0;
}
