#include "warroom/common/timestamps.h"

#include <google/protobuf/util/time_util.h>

#include <cstdio>

namespace warroom {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToTimestamp(TimePoint t) {
  return TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

TimePoint FromTimestamp(const google::protobuf::Timestamp& ts) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::nanoseconds(TimeUtil::TimestampToNanoseconds(ts))));
}

google::protobuf::Timestamp SecondsToTimestamp(int64_t unix_seconds) {
  return TimeUtil::SecondsToTimestamp(unix_seconds);
}

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

int64_t UnixSeconds(const google::protobuf::Timestamp& ts) { return ts.seconds(); }

int64_t SastDay(int64_t unix_seconds) {
  int64_t local = unix_seconds + std::chrono::seconds(kSastOffset).count();
  return local >= 0 ? local / 86400 : (local - 86399) / 86400;
}

std::string MonthOf(int64_t unix_seconds) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{SastDay(unix_seconds)}}};
  char out[16];
  std::snprintf(out, sizeof(out), "%04d-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()));
  return out;
}

bool IsMonthLabel(std::string_view m) {
  if (m.size() != 7 || m[4] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (m[i] < '0' || m[i] > '9') return false;
  }
  int month = (m[5] - '0') * 10 + (m[6] - '0');
  return month >= 1 && month <= 12;
}

}  // namespace warroom
