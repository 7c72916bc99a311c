// Short lower-case labels for proto enums ("hotline" for CHANNEL_HOTLINE), for metric labels,
// command lines, import files and logs; parsed back the same way.
#pragma once

#include <google/protobuf/generated_enum_reflection.h>

#include <optional>
#include <string>
#include <string_view>

namespace warroom {

std::string EnumLabel(const google::protobuf::EnumDescriptor* descriptor, int value);
std::optional<int> ParseEnumLabel(const google::protobuf::EnumDescriptor* descriptor,
                                  std::string_view label);

template <typename E>
std::string Label(E value) {
  return EnumLabel(google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}

template <typename E>
std::optional<E> ParseLabel(std::string_view label) {
  auto v = ParseEnumLabel(google::protobuf::GetEnumDescriptor<E>(), label);
  if (!v) return std::nullopt;
  return static_cast<E>(*v);
}

}  // namespace warroom
