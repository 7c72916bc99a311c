// Events as a consumer reads them off a topic, from any producer: decoding answers OK or
// INVALID_ARGUMENT; a decoded event applies to reporting's read model or is refused, never
// crashes; and applying it again changes nothing (consumers are idempotent).
#include <cstddef>
#include <cstdint>
#include <iterator>

#include "services/reporting/src/read_model.h"
#include "tests/fuzz/fuzz_geography.h"
#include "warroom/common/events.h"
#include "warroom/common/topics.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& topic = warroom::kTopics[data[0] % std::size(warroom::kTopics)];
  auto event = warroom::DecodeEnvelope(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  if (!event.ok()) {
    if (event.status().code() != warroom::StatusCode::kInvalidArgument) __builtin_trap();
    return 0;
  }
  warroom::reporting::ReadModel model(warroom::fuzz::Geo());
  auto first = model.Apply(topic.name, *event);
  if (!first.ok()) return 0;
  auto second = model.Apply(topic.name, *event);
  if (!second.ok() || *second) __builtin_trap();  // a redelivery must change nothing
  return 0;
}
