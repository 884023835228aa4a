// Access to the golden vectors in tests/golden/, written by the Java Kafka
// client (tools/golden/generate).  The record recipe here mirrors the one in
// tools/golden/GoldenVectors.java; change both together.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ringkafka::golden {

inline std::string path(const std::string& file) {
  return std::string(RINGKAFKA_GOLDEN_DIR) + "/" + file;
}

// Non-comment lines of a golden file, split at spaces.
inline std::vector<std::vector<std::string>> rows(const std::string& file) {
  std::ifstream in(path(file));
  std::vector<std::vector<std::string>> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::vector<std::string> row;
    for (std::string f; fields >> f;) row.push_back(f);
    out.push_back(std::move(row));
  }
  return out;
}

// "." stands for no bytes.
inline std::vector<std::byte> unhex(const std::string& hex) {
  std::vector<std::byte> out;
  if (hex == ".") return out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::byte>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline std::vector<std::byte> bytes_of(const std::string& s) {
  std::vector<std::byte> out(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = static_cast<std::byte>(s[i]);
  return out;
}

// The record recipe of GoldenVectors.java.
inline constexpr std::int64_t kBaseTimestamp = 1700000000000;
inline std::int64_t timestamp(int i) { return kBaseTimestamp + 3LL * i - (i % 3 == 2 ? 10 : 0); }
// (Strings are built with append: GCC 12 warns falsely, -Wrestrict, on
// "literal" + std::string at -O3.)
inline std::vector<std::byte> key(int i) {
  std::string s = "key-";
  return bytes_of(s.append(std::to_string(i)));
}
inline std::vector<std::byte> value(int i) {
  std::string s = "value-";
  auto v = bytes_of(s.append(std::to_string(i)).append("-"));
  for (int j = 0; j < i % 17; ++j) v.push_back(static_cast<std::byte>(i * 31 + j));
  return v;
}
struct Header {
  std::string name;
  bool null_value;
  std::vector<std::byte> value;
};
inline std::vector<Header> headers(int i) {
  std::vector<Header> h;
  for (int j = 0; j < i % 4; ++j) {
    const bool null_value = j == 1;
    std::string name = "h";
    h.push_back({name.append(std::to_string(j)), null_value,
                 null_value ? std::vector<std::byte>{}
                            : std::vector<std::byte>{static_cast<std::byte>(j),
                                                     static_cast<std::byte>(i), std::byte{0xff}}});
  }
  return h;
}

}  // namespace ringkafka::golden
