// Conversions between TimePoint and protobuf Timestamps, and the South African calendar month of
// an instant: one place for them, used by every service.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "warroom/common/clock.h"

namespace warroom {

// South African Standard Time has no daylight saving.
inline constexpr std::chrono::hours kSastOffset{2};

google::protobuf::Timestamp ToTimestamp(TimePoint t);
TimePoint FromTimestamp(const google::protobuf::Timestamp& ts);
google::protobuf::Timestamp SecondsToTimestamp(int64_t unix_seconds);
int64_t UnixSeconds(TimePoint t);
int64_t UnixSeconds(const google::protobuf::Timestamp& ts);

// "2026-11" for an instant, in SAST.
std::string MonthOf(int64_t unix_seconds);
// The day number (days since 1970-01-01, SAST) of an instant.
int64_t SastDay(int64_t unix_seconds);
// True for "YYYY-MM" with a month 01..12.
bool IsMonthLabel(std::string_view month);

}  // namespace warroom
