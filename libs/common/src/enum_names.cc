#include "warroom/common/enum_names.h"

#include <google/protobuf/descriptor.h>

#include <cctype>

namespace warroom {

namespace {

// The prefix every value of an enum shares: "CHANNEL_" for Channel, "CASE_STATUS_" for CaseStatus.
std::string Prefix(const google::protobuf::EnumDescriptor* d) {
  std::string name = d->value(0)->name();
  auto pos = name.rfind("_UNSPECIFIED");
  return pos == std::string::npos ? std::string() : name.substr(0, pos + 1);
}

}  // namespace

std::string EnumLabel(const google::protobuf::EnumDescriptor* d, int value) {
  const auto* v = d->FindValueByNumber(value);
  if (v == nullptr) return "unknown";
  std::string name = v->name().substr(Prefix(d).size());
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::optional<int> ParseEnumLabel(const google::protobuf::EnumDescriptor* d, std::string_view label) {
  std::string name = Prefix(d);
  for (char c : label) {
    name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  const auto* v = d->FindValueByName(name);
  if (v == nullptr || v->number() == 0) return std::nullopt;
  return v->number();
}

}  // namespace warroom
