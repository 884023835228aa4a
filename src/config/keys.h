// The configuration keys: one table (settings.cpp) that Config::set(),
// parse_settings(), the tests and docs/configuration.md all go by.  A key is
// read in two steps:
//
//   "linger.ms" = " 7"  --form-->  7 (a number, or a word's value)  --range-->  Settings
//       set() stops here ^          parse_settings() goes on: range, store,
//                                   then the combinations of keys
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"
#include "ringkafka/error.h"

namespace ringkafka::config {

enum class Form : std::uint8_t {
  kInteger,   // decimal, in [min, max], a power of two if power_of_two
  kLevel,     // a compression level: an integer, checked against its codec later
  kWord,      // one of a few words; lookup() gives the word's value
  kText,      // a string; of min to max bytes if max is not 0
  kServers,   // host:port, ...; checked whole by the form step
  kContexts,  // debug: a comma-separated list of contexts (config/log.h), as a mask
};

// Settings plus what is resolved only once every key has been read.
struct Parsed {
  Settings settings;
  std::optional<int> level;  // compression.level
  // compression.<codec>.level, indexed by wire::Compression.
  std::array<std::optional<int>, 5> codec_level;
  // Read whole once every key is in (security_keys.cpp).
  std::string jaas_config;         // sasl.jaas.config
  std::string oauthbearer_config;  // sasl.oauthbearer.config
  std::string enabled_protocols = "TLSv1.2,TLSv1.3";  // ssl.enabled.protocols
};

struct KeyInfo {
  std::string_view name;
  std::string_view default_value;  // as set() takes it; "" when there is none
  // Completes `<key>: "<value>" is not ...`; the docs' range column.
  std::string_view allowed;
  std::string_view meaning;  // one line
  Form form = Form::kInteger;
  std::int64_t min = 0;  // kInteger
  std::int64_t max = 0;
  bool power_of_two = false;
  std::optional<std::int64_t> (*lookup)(std::string_view word) = nullptr;  // kWord
  // Stores a value that passed both steps: `number` is the integer or the
  // word's value, `text` the value as set.
  void (*store)(Parsed& out, std::int64_t number, std::string_view text) = nullptr;
};

// An older name that means the same key, as in librdkafka.
struct Alias {
  std::string_view name;
  std::string_view key;
};

// Every key, in the order docs/configuration.md lists them: the general
// table's (key_table.cpp), then security_keys().
[[nodiscard]] std::span<const KeyInfo> keys() noexcept;
[[nodiscard]] std::span<const KeyInfo> security_keys() noexcept;
// The security keys' combinations: protocol, mechanism, credentials, the
// parts of sasl.jaas.config and sasl.oauthbearer.config (security_keys.cpp).
[[nodiscard]] std::optional<Error> resolve_security(const Config& config, Parsed& p);
[[nodiscard]] std::span<const Alias> aliases() noexcept;
// The key `name` names, directly or through an alias; nullptr if none.
[[nodiscard]] const KeyInfo* find_key(std::string_view name) noexcept;

// `unknown key "lingr.ms"; did you mean "linger.ms"?`
[[nodiscard]] Error unknown_key(std::string_view name);
// The form step.  `as_set` is the name the user gave (maybe an alias), for
// the message.  The number, the word's value, or 0 for text and servers.
[[nodiscard]] Result<std::int64_t> read_form(const KeyInfo& key, std::string_view as_set,
                                             std::string_view value);

// bootstrap.servers: comma-separated host:port; `[v6addr]:port` for IPv6;
// whitespace around entries ignored, empty entries skipped.  An error,
// naming the entry at fault, if one is malformed or none is left.
[[nodiscard]] Result<std::vector<HostPort>> parse_servers(std::string_view list);

}  // namespace ringkafka::config
