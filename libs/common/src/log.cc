#include "warroom/common/log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <cctype>

namespace warroom::log {

void Init(std::string_view service, std::string_view level) {
  auto logger = spdlog::stderr_logger_mt(std::string(service));
  logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%fZ level=%l service=%n %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsEmailChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' ||
         c == '+' || c == '-';
}

// A run of digits, allowing single spaces, dashes or a leading + between them, as people write
// phone numbers ("082 555 1234", "+27-82-555-1234").
struct DigitRun {
  size_t end;          // one past the last character of the run
  std::string digits;  // the digits alone
};

DigitRun ScanDigits(std::string_view text, size_t start) {
  DigitRun run{start, {}};
  size_t i = start;
  if (text[i] == '+') ++i;
  while (i < text.size()) {
    if (IsDigit(text[i])) {
      run.digits.push_back(text[i]);
      run.end = ++i;
    } else if ((text[i] == ' ' || text[i] == '-') && i + 1 < text.size() && IsDigit(text[i + 1]) &&
               !run.digits.empty()) {
      ++i;
    } else {
      break;
    }
  }
  return run;
}

bool LooksLikePhone(std::string_view digits) {
  return (digits.size() == 10 && digits[0] == '0') ||
         (digits.size() == 11 && digits.substr(0, 2) == "27");
}

}  // namespace

std::string Redact(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '@') {
      // Take back the local part already copied, and skip the domain.
      size_t local = out.size();
      while (local > 0 && IsEmailChar(out[local - 1])) --local;
      size_t j = i + 1;
      bool dot = false;
      while (j < text.size() && IsEmailChar(text[j])) dot |= text[j++] == '.';
      if (local < out.size() && dot && j > i + 1) {
        out.resize(local);
        out += "[email]";
        i = j;
        continue;
      }
    }
    bool starts_number = IsDigit(c) || (c == '+' && i + 1 < text.size() && IsDigit(text[i + 1]));
    bool inside_word = i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) != 0);
    if (starts_number && !inside_word) {
      DigitRun run = ScanDigits(text, i);
      bool word_follows = run.end < text.size() &&
                          std::isalpha(static_cast<unsigned char>(text[run.end])) != 0;
      if (!word_follows && run.digits.size() == 13) {
        out += "[id]";
        i = run.end;
        continue;
      }
      if (!word_follows && LooksLikePhone(run.digits)) {
        out += "[phone]";
        i = run.end;
        continue;
      }
      // Not personal: copy the plain digits through unchanged, up to the first separator.
      size_t j = i;
      if (text[j] == '+') out.push_back(text[j++]);
      while (j < text.size() && IsDigit(text[j])) out.push_back(text[j++]);
      i = j;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

Line::Line(spdlog::level::level_enum level, std::string_view event)
    : level_(level), enabled_(spdlog::default_logger_raw()->should_log(level)) {
  if (enabled_) {
    text_ = "event=";
    text_ += event;
  }
}

Line& Line::Kv(std::string_view key, std::string_view value) {
  if (!enabled_) return *this;
  std::string clean = Redact(value);
  bool quote = clean.empty() || clean.find_first_of(" =\"\t\n") != std::string::npos;
  text_ += ' ';
  text_ += key;
  text_ += '=';
  if (!quote) {
    text_ += clean;
    return *this;
  }
  text_ += '"';
  for (char c : clean) {
    if (c == '"' || c == '\\') text_ += '\\';
    text_ += (c == '\n' || c == '\t') ? ' ' : c;
  }
  text_ += '"';
  return *this;
}

Line::~Line() {
  if (enabled_) spdlog::default_logger_raw()->log(level_, text_);
}

}  // namespace warroom::log
