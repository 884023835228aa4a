// What ringkafka's command-line tools share about configuration: kcat's
// `-X key=value` and the order the settings apply in.  Public API only.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ringkafka/config.h"

namespace ringkafka::cli {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// Appends "key=value" to `out`; false (nothing appended) without an '=' or
// with an empty key.  The value may be empty and may hold more '='.
inline bool parse_key_value(std::string_view arg, KeyValues& out) {
  const auto eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  out.emplace_back(std::string(arg.substr(0, eq)), std::string(arg.substr(eq + 1)));
  return true;
}

// The preset named (or the defaults, when empty), then each key in order,
// so that a later key wins: the tools pass -b's and -z's keys first and -X
// last.  The error names the preset or the key at fault.
inline Result<Config> make_config(std::string_view preset, const KeyValues& keys) {
  Config config;
  if (!preset.empty()) {
    auto made = Config::preset(preset);
    if (!made) return made.error();
    config = std::move(made.value());
  }
  for (const auto& [key, value] : keys) {
    if (auto r = config.set(key, value); !r) return r.error();
  }
  return config;
}

}  // namespace ringkafka::cli
