// Byte vectors from integer literals, for tests that spell out wire bytes.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <vector>

namespace ringkafka::testing {

inline std::vector<std::byte> bytes(std::initializer_list<int> v) {
  std::vector<std::byte> out;
  out.reserve(v.size());
  for (int b : v) out.push_back(static_cast<std::byte>(b));
  return out;
}

}  // namespace ringkafka::testing
