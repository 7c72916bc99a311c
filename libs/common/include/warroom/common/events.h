// Building and reading EventEnvelopes: ids, timestamps, the event type header.
#pragma once

#include <string>
#include <string_view>

#include "warroom/common/clock.h"
#include "warroom/common/ids.h"
#include "warroom/common/kafka.h"
#include "warroom/common/outbox.h"
#include "warroom/common/status.h"
#include "warroom/v1/events.pb.h"

namespace warroom {

class EventFactory {
 public:
  EventFactory(std::string producer, const Clock& clock, IdGenerator& ids)
      : producer_(std::move(producer)), clock_(clock), ids_(ids) {}

  // An envelope with id, time and producer filled in; the caller sets the payload.
  v1::EventEnvelope New(std::string aggregate_id, int64_t aggregate_version,
                        std::string correlation_id = {}) const;

 private:
  std::string producer_;
  const Clock& clock_;
  IdGenerator& ids_;
};

// The name of the payload field that is set ("outbox_probe"), or "" when none is.
std::string EventType(const v1::EventEnvelope& envelope);

// The envelope as an outbox entry for a topic, keyed by its aggregate id.
OutboxEvent ToOutboxEvent(std::string_view topic, const v1::EventEnvelope& envelope);

// Sets every enum field (at any depth) holding a value this build does not know to 0, the
// UNSPECIFIED value of each of our enums (proto3 keeps unknown values as they came).
void ClearUnknownEnumValues(google::protobuf::Message& message);

// INVALID_ARGUMENT (never applicable, so the consumer skips it) when the bytes are not an
// envelope, have no payload or no event id. Enum values this build does not know read as 0.
StatusOr<v1::EventEnvelope> DecodeEnvelope(std::string_view bytes);

}  // namespace warroom
