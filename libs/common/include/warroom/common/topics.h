// The one list of Kafka topics, consumer groups and event header names. Nobody spells them twice:
// the embedded broker, the services and the Kubernetes manifests all read this list.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace warroom {

struct TopicSpec {
  std::string_view name;
  int partitions;
  std::string_view writer;  // the only service that produces to it
  int64_t retention_ms;     // -1: kept for replay (event topics are never compacted)
};

namespace topics {
inline constexpr std::string_view kCases = "warroom.cases.v1";
inline constexpr std::string_view kAssignments = "warroom.assignments.v1";
inline constexpr std::string_view kEscalations = "warroom.escalations.v1";
inline constexpr std::string_view kAlerts = "warroom.alerts.v1";
inline constexpr std::string_view kNotifications = "warroom.notifications.v1";
inline constexpr std::string_view kHouseholds = "warroom.households.v1";
inline constexpr std::string_view kDeployments = "warroom.deployments.v1";
// Synthetic events that prove the outbox path end to end; written by tools and tests.
inline constexpr std::string_view kProbe = "warroom.probe.v1";
}  // namespace topics

inline constexpr int64_t kKeepForever = -1;
inline constexpr int64_t kSevenDaysMs = 7LL * 24 * 3600 * 1000;

inline constexpr std::array<TopicSpec, 8> kTopics = {{
    {topics::kCases, 12, "intake", kKeepForever},
    {topics::kAssignments, 12, "routing", kKeepForever},
    {topics::kEscalations, 6, "escalation", kKeepForever},
    {topics::kAlerts, 3, "escalation", kKeepForever},
    {topics::kNotifications, 6, "escalation", kSevenDaysMs},
    {topics::kHouseholds, 6, "household", kKeepForever},
    {topics::kDeployments, 3, "psp", kKeepForever},
    {topics::kProbe, 3, "tools", kSevenDaysMs},
}};

// Consumer groups: one per service, named after its binary.
namespace groups {
inline constexpr std::string_view kIntake = "warroom-intake";
inline constexpr std::string_view kRouting = "warroom-routing";
inline constexpr std::string_view kEscalation = "warroom-escalation";
inline constexpr std::string_view kHousehold = "warroom-household";
inline constexpr std::string_view kPsp = "warroom-psp";
inline constexpr std::string_view kReporting = "warroom-reporting";
}  // namespace groups

// Kafka message headers. The event type is the name of the EventEnvelope payload field.
namespace headers {
inline constexpr std::string_view kEventType = "warroom-event-type";
inline constexpr std::string_view kEventId = "warroom-event-id";
}  // namespace headers

}  // namespace warroom
