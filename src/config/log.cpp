#include "config/log.h"

#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace ringkafka::config {
namespace {

using enum Context;

constexpr std::uint32_t bit(Context c) noexcept { return static_cast<std::uint32_t>(c); }

constexpr ContextName kNames[] = {
    {"generic", bit(kGeneric)},   {"broker", bit(kBroker)},
    {"topic", bit(kTopic)},       {"metadata", bit(kMetadata)},
    {"feature", bit(kFeature)},   {"queue", bit(kQueue)},
    {"msg", bit(kMsg)},           {"protocol", bit(kProtocol)},
    {"cgrp", bit(kCgrp)},         {"security", bit(kSecurity)},
    {"fetch", bit(kFetch)},       {"interceptor", bit(kInterceptor)},
    {"plugin", bit(kPlugin)},     {"consumer", bit(kConsumer)},
    {"admin", bit(kAdmin)},       {"eos", bit(kEos)},
    {"mock", bit(kMock)},         {"assignor", bit(kAssignor)},
    {"conf", bit(kConf)},         {"telemetry", bit(kTelemetry)},
    {"idempotence", bit(kEos)},   {"all", 0xfffffU},
};

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

}  // namespace

std::span<const ContextName> context_names() noexcept { return kNames; }

std::string_view context_name(Context c) noexcept {
  for (const ContextName& n : kNames) {
    if (n.bits == bit(c)) return n.name;
  }
  return "generic";
}

bool parse_contexts(std::string_view list, std::uint32_t& mask, std::string_view& bad) noexcept {
  mask = 0;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (item.empty()) continue;
    bool found = false;
    for (const ContextName& n : kNames) {
      if (n.name == item) {
        mask |= n.bits;
        found = true;
      }
    }
    if (!found) {
      bad = item;
      return false;
    }
  }
  return true;
}

void Log::write(LogLevel level, Context c, const char* fmt, ...) const noexcept {
  char text[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(text, sizeof text, fmt, args);
  va_end(args);
  line(level, context_name(c), text);
}

void Log::line(LogLevel level, std::string_view facility, std::string_view message) const noexcept {
  if (log_ != nullptr) {
    log_(level, facility, message, log_context_);
    return;
  }
  // librdkafka's default line: %LEVEL|SECONDS.MS|FACILITY|CLIENT| message,
  // one fprintf so lines of two threads do not mix.
  char fac[24];
  std::size_t n = 0;
  for (; n < facility.size() && n + 1 < sizeof fac; ++n) {
    fac[n] = static_cast<char>(std::toupper(static_cast<unsigned char>(facility[n])));
  }
  fac[n] = '\0';
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  std::fprintf(stderr, "%%%d|%lld.%03ld|%s|%s| %.*s\n", static_cast<int>(level),
               static_cast<long long>(ts.tv_sec), ts.tv_nsec / 1'000'000, fac, client_id_.c_str(),
               static_cast<int>(message.size()), message.data());
}

void Log::error(Errc code, const char* fmt, ...) const noexcept {
  char text[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(text, sizeof text, fmt, args);
  va_end(args);
  if (error_ != nullptr) {
    error_(code, text, error_context_);
    return;
  }
  if (enabled(LogLevel::kError, kGeneric)) line(LogLevel::kError, "error", text);
}

}  // namespace ringkafka::config
