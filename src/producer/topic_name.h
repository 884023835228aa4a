// Kafka's rule for topic names, checked when Producer::topic() is called so
// that a name the broker would refuse fails at once, saying why, instead of
// its records timing out on metadata that never comes.
//
// The rule (Kafka's org.apache.kafka.common.internals.Topic): 1 to 249
// characters from [a-zA-Z0-9._-], and neither "." nor "..".  Names that mix
// '.' and '_' are legal but collide in metric names: the broker refuses to
// create one that collides with an existing topic (a.b beside a_b), which
// only the broker can know, so the client does not refuse them.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace ringkafka::topic_name {

inline constexpr std::size_t kMaxLength = 249;

[[nodiscard]] constexpr bool allowed(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Empty when Kafka accepts `name`; else why not, naming the name.
[[nodiscard]] inline std::string check(std::string_view name) {
  if (name.empty()) return "a topic name cannot be empty";
  const std::string quoted = "topic name \"" + std::string(name.substr(0, 60)) +
                             (name.size() > 60 ? "...\"" : "\"");
  if (name.size() > kMaxLength) {
    return quoted + " has " + std::to_string(name.size()) + " characters; Kafka allows " +
           std::to_string(kMaxLength);
  }
  if (name == "." || name == "..") return quoted + " is not allowed by Kafka";
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!allowed(name[i])) {
      char what[48];
      const auto byte = static_cast<unsigned char>(name[i]);
      if (byte >= 0x21 && byte < 0x7f) {
        std::snprintf(what, sizeof what, "'%c'", name[i]);
      } else {
        std::snprintf(what, sizeof what, "byte 0x%02x", byte);
      }
      return quoted + " has " + what + " at position " + std::to_string(i) +
             "; Kafka allows only a-z, A-Z, 0-9, '.', '_' and '-'";
    }
  }
  return {};
}

}  // namespace ringkafka::topic_name
