#include "warroom/common/events.h"

#include <vector>

#include "warroom/common/timestamps.h"

namespace warroom {

v1::EventEnvelope EventFactory::New(std::string aggregate_id, int64_t aggregate_version,
                                    std::string correlation_id) const {
  v1::EventEnvelope e;
  e.set_event_id(ids_.NewUuidV7());
  *e.mutable_occurred_at() = ToTimestamp(clock_.Now());
  e.set_producer(producer_);
  e.set_aggregate_id(std::move(aggregate_id));
  e.set_aggregate_version(aggregate_version);
  e.set_correlation_id(std::move(correlation_id));
  return e;
}

std::string EventType(const v1::EventEnvelope& envelope) {
  const auto* oneof = v1::EventEnvelope::descriptor()->FindOneofByName("payload");
  const auto* field = envelope.GetReflection()->GetOneofFieldDescriptor(envelope, oneof);
  return field == nullptr ? std::string() : field->name();
}

OutboxEvent ToOutboxEvent(std::string_view topic, const v1::EventEnvelope& envelope) {
  OutboxEvent e;
  e.topic = std::string(topic);
  e.key = envelope.aggregate_id();
  e.type = EventType(envelope);
  e.event_id = envelope.event_id();
  envelope.SerializeToString(&e.value);
  return e;
}

void ClearUnknownEnumValues(google::protobuf::Message& message) {
  const auto* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);  // only the fields that are set
  for (const auto* field : fields) {
    if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_ENUM) {
      const auto* type = field->enum_type();
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          if (type->FindValueByNumber(reflection->GetRepeatedEnumValue(message, field, i)) == nullptr) {
            reflection->SetRepeatedEnumValue(&message, field, i, 0);
          }
        }
      } else if (type->FindValueByNumber(reflection->GetEnumValue(message, field)) == nullptr) {
        reflection->SetEnumValue(&message, field, 0);
      }
    } else if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          ClearUnknownEnumValues(*reflection->MutableRepeatedMessage(&message, field, i));
        }
      } else {
        ClearUnknownEnumValues(*reflection->MutableMessage(&message, field));
      }
    }
  }
}

StatusOr<v1::EventEnvelope> DecodeEnvelope(std::string_view bytes) {
  v1::EventEnvelope e;
  if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return InvalidArgumentError("event is not a warroom.v1.EventEnvelope");
  }
  if (e.event_id().empty()) return InvalidArgumentError("event has no event_id");
  if (e.payload_case() == v1::EventEnvelope::PAYLOAD_NOT_SET) {
    return InvalidArgumentError("event " + e.event_id() + " has no payload this build knows");
  }
  // An enum value from a newer producer reads as UNSPECIFIED: consumers index tables by enums.
  ClearUnknownEnumValues(e);
  return e;
}

}  // namespace warroom
