// Structured logs: one key=value line per event, with every value passed through Redact so that
// phone numbers, e-mail addresses and ID numbers never reach a log file even by mistake.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>
#include <type_traits>

namespace warroom::log {

// Sets up the process logger: "ts=... level=info service=NAME event=... k=v ...".
// level is one of trace, debug, info, warn, error.
void Init(std::string_view service, std::string_view level = "info");

// Replaces South African phone numbers, e-mail addresses and 13-digit ID numbers in text with
// [phone], [email] and [id]. Case numbers, ward codes and dates pass unchanged.
std::string Redact(std::string_view text);

// One log line, built field by field and written when it goes out of scope:
//   log::Info("case_reported").Kv("case", number).Kv("channel", "hotline");
class Line {
 public:
  Line(spdlog::level::level_enum level, std::string_view event);
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;
  ~Line();

  Line& Kv(std::string_view key, std::string_view value);
  Line& Kv(std::string_view key, const std::string& value) { return Kv(key, std::string_view(value)); }
  Line& Kv(std::string_view key, const char* value) { return Kv(key, std::string_view(value)); }
  template <typename T>
    requires std::is_arithmetic_v<T>
  Line& Kv(std::string_view key, T value) {
    if (enabled_) {
      text_ += ' ';
      text_ += key;
      text_ += '=';
      if constexpr (std::is_same_v<T, bool>) {
        text_ += value ? "true" : "false";
      } else {
        text_ += std::to_string(value);
      }
    }
    return *this;
  }

 private:
  spdlog::level::level_enum level_;
  bool enabled_;
  std::string text_;
};

inline Line Debug(std::string_view event) { return Line(spdlog::level::debug, event); }
inline Line Info(std::string_view event) { return Line(spdlog::level::info, event); }
inline Line Warn(std::string_view event) { return Line(spdlog::level::warn, event); }
inline Line Error(std::string_view event) { return Line(spdlog::level::err, event); }

}  // namespace warroom::log
