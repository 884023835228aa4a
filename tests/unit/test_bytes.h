// Byte vectors from integer literals, for tests that spell out wire bytes.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace ringkafka::testing {

inline std::vector<std::byte> bytes(std::initializer_list<int> v) {
  std::vector<std::byte> out;
  out.reserve(v.size());
  for (int b : v) out.push_back(static_cast<std::byte>(b));
  return out;
}

// Lower-case hex of some bytes, so a failed comparison prints readable bytes.
inline std::string hex(std::span<const std::byte> b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (auto x : b) {
    s += kDigits[static_cast<unsigned>(x) >> 4];
    s += kDigits[static_cast<unsigned>(x) & 15];
  }
  return s;
}

}  // namespace ringkafka::testing
