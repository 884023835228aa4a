// "NAME" of a protocol error code for the sender's messages, in the form
// printf's "%.*s" takes: ErrorName n(code); ... n.size(), n.data().
#pragma once

#include <cstdint>

#include "wire/error_code.h"

namespace ringkafka::sender {

struct ErrorName {
  explicit ErrorName(std::int16_t code) noexcept : info(wire::error_info(code)) {}
  [[nodiscard]] int size() const noexcept { return static_cast<int>(info.name.size()); }
  [[nodiscard]] const char* data() const noexcept { return info.name.data(); }
  wire::ErrorInfo info;
};

}  // namespace ringkafka::sender
