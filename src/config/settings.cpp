#include "config/settings.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstddef>
#include <limits>
#include <string>

#include "compress/codec.h"
#include "config/keys.h"
#include "config/text.h"

namespace ringkafka::config {
namespace {

using namespace text;
using wire::Compression;

// --- combinations ------------------------------------------------------------

// `<key>: "<value>" <why>`, the value as the user set it.
Error conflict(const Config& config, std::string_view key, std::string_view why) {
  const auto value = config.get(key);
  return {Errc::kInvalidConfig,
          std::string(key) + ": " + quoted(value.value_or("")) + " " + std::string(why)};
}

Error level_error(std::string_view key, int level, Compression codec) {
  const compress::LevelRange r = compress::level_range(codec);
  const std::string name(kCodecNames[static_cast<std::size_t>(codec)]);
  const bool generic = key == "compression.level";
  std::string allowed = "a level of " + name + (generic ? " (compression.type)" : "");
  if (r.min == 0 && r.max == 0) {
    allowed += ": it has none (0 or -1 only)";
  } else {
    allowed += ": " + std::to_string(r.min) + ".." + std::to_string(r.max) + " (" +
               (r.default_level == -1 || generic ? "-1 or 0" : "0") + ": the default)";
  }
  return not_allowed(key, std::to_string(level), allowed);
}

// compression.level applies to the chosen codec, compression.<codec>.level
// to its own; 0 (and -1 for compression.level, as in librdkafka) is the
// codec's default.  Each per-codec key is checked even when its codec is not
// chosen, as the Java client does.
std::optional<Error> resolve_level(Parsed& p) {
  const Compression chosen = p.settings.compression;
  const int default_level = compress::level_range(chosen).default_level;
  std::optional<int> per_codec;
  for (std::size_t i = 0; i < p.codec_level.size(); ++i) {
    if (!p.codec_level[i]) continue;
    const auto codec = static_cast<Compression>(i);
    int level = *p.codec_level[i];
    if (level == 0) level = compress::level_range(codec).default_level;
    if (!compress::valid_level(codec, level)) return level_error(kCodecLevelKeys[i], level, codec);
    if (codec == chosen) per_codec = level;
  }
  std::optional<int> generic;
  if (p.level) {
    generic = *p.level == 0 || *p.level == -1 ? default_level : *p.level;
    if (!compress::valid_level(chosen, *generic)) {
      return level_error("compression.level", *p.level, chosen);
    }
  }
  if (generic && per_codec && *generic != *per_codec) {
    const auto key = kCodecLevelKeys[static_cast<std::size_t>(chosen)];
    return Error{Errc::kInvalidConfig, "compression.level: \"" + std::to_string(*p.level) +
                                           "\" conflicts with " + std::string(key) + " (" +
                                           std::to_string(*p.codec_level[static_cast<std::size_t>(
                                               chosen)]) +
                                           "); set one of them"};
  }
  p.settings.compression_level = per_codec.value_or(generic.value_or(default_level));
  return std::nullopt;
}

// As the Java client (ProducerConfig.postProcessAndValidateIdempotenceConfigs):
// idempotence needs acks=all, at most 5 requests in flight and retries.
// Asked for explicitly, a conflict is an error; by default, the conflicting
// key wins and idempotence is off.
// A transactional.id makes idempotence required, as in Java: then every
// conflict is an error, naming both keys.
std::optional<Error> resolve_idempotence(const Config& config, Settings& s) {
  const bool transactional = !s.transactional_id.empty();
  const bool explicit_setting = config.get("enable.idempotence").has_value() || transactional;
  if (transactional && !s.enable_idempotence) {
    return conflict(config, "enable.idempotence",
                    "conflicts with transactional.id, which needs enable.idempotence=true");
  }
  if (!s.enable_idempotence) return std::nullopt;
  const std::string_view by =
      transactional ? "transactional.id (which needs enable.idempotence=true)" : "enable.idempotence=true";
  std::optional<Error> error;
  if (s.max_in_flight > 5) {
    error = conflict(config, "max.in.flight.requests.per.connection",
                     "conflicts with " + std::string(by) + ", which needs at most 5");
  } else if (s.retries == 0) {
    error = conflict(config, "retries", "conflicts with " + std::string(by) + ", which needs retries > 0");
  } else if (s.acks != -1) {
    error = conflict(config, "acks",
                     "conflicts with " + std::string(by) + ", which needs acks=all (-1)");
  }
  if (!error) return std::nullopt;
  if (explicit_setting) return error;
  s.enable_idempotence = false;
  return std::nullopt;
}

// <prefix>.max.ms below <prefix>.ms: an error if the maximum was set, else
// it is raised to the base.
std::optional<Error> backoff_bound(const Config& config, std::string_view prefix,
                                   std::int64_t base, std::int64_t& max) {
  if (max >= base) return std::nullopt;
  const std::string base_key = std::string(prefix) + ".ms";
  const std::string max_key = std::string(prefix) + ".max.ms";
  if (config.get(max_key)) {
    return conflict(config, max_key,
                    "is less than " + base_key + " (" + std::to_string(base) + ")");
  }
  max = base;
  return std::nullopt;
}

// A bound below a base: an error if the bound was set, else it is raised
// (lowered, for batch.size) to what the other key asks for.
std::optional<Error> resolve_timeouts(const Config& config, Settings& s) {
  // Java (KafkaProducer.configureDeliveryTimeout): linger.ms counts up to
  // INT_MAX; the error only when delivery.timeout.ms was set.
  const std::int64_t floor = std::min(s.linger_ms, kInt32Max) + s.request_timeout_ms;
  if (s.delivery_timeout_ms < floor) {
    if (config.get("delivery.timeout.ms")) {
      return conflict(config, "delivery.timeout.ms",
                      "is less than linger.ms + request.timeout.ms (" +
                          std::to_string(std::min(s.linger_ms, kInt32Max)) + " + " +
                          std::to_string(s.request_timeout_ms) + ")");
    }
    s.delivery_timeout_ms = std::min(floor, kInt32Max);
  }
  // Java warns and backs off by retry.backoff.ms, statically; raising the
  // unset bound to it does the same.
  if (auto e = backoff_bound(config, "retry.backoff", s.retry_backoff_ms, s.retry_backoff_max_ms)) {
    return e;
  }
  if (auto e = backoff_bound(config, "reconnect.backoff", s.reconnect_backoff_ms,
                             s.reconnect_backoff_max_ms)) {
    return e;
  }
  if (s.batch_size > s.max_request_size) {
    if (config.get("batch.size")) {
      return conflict(config, "batch.size",
                      "is more than max.request.size (" + std::to_string(s.max_request_size) + ")");
    }
    s.batch_size = s.max_request_size;
  }
  if (s.idle_park_max_us < s.idle_park_min_us) {
    if (config.get("sender.idle.park.max.us")) {
      return conflict(config, "sender.idle.park.max.us",
                      "is less than sender.idle.park.min.us (" +
                          std::to_string(s.idle_park_min_us) + ")");
    }
    s.idle_park_max_us = s.idle_park_min_us;
  }
  // Records above an eighth of ring.bytes go through a second ring (see
  // Settings::large_ring_bytes), which takes messages up to half its size.
  // Any record up to max.request.size must fit (as the Java client accepts
  // it), so that ring is the power of two that holds one, with room for the
  // ring's own header and the record's (4 KiB covers both and a few
  // headers' names).  When the small ring takes every such record, the
  // large one is never used and stays at its minimum.
  const auto need = 2 * (static_cast<std::size_t>(s.max_request_size) + 4096);
  s.large_ring_bytes = 4096;
  if (s.ring_bytes / 8 < need / 2) {
    while (s.large_ring_bytes < need) s.large_ring_bytes *= 2;
  }
  return std::nullopt;
}


}  // namespace

Result<std::int64_t> read_form(const KeyInfo& key, std::string_view as_set,
                               std::string_view value) {
  switch (key.form) {
    case Form::kInteger:
    case Form::kLevel: {
      const auto n = parse_integer(value);
      if (!n || (key.form == Form::kLevel && (*n < INT_MIN || *n > INT_MAX))) {
        return not_allowed(as_set, value, key.allowed);
      }
      return *n;
    }
    case Form::kWord: {
      const auto n = key.lookup(trim(value));
      if (!n) return not_allowed(as_set, value, key.allowed);
      return *n;
    }
    case Form::kText: {
      const auto size = static_cast<std::int64_t>(value.size());
      if (key.max != 0 && (size < key.min || size > key.max)) {
        return not_allowed(as_set, value, key.allowed);
      }
      return std::int64_t{0};
    }
    case Form::kContexts: {
      std::uint32_t mask = 0;
      std::string_view bad;
      if (!parse_contexts(value, mask, bad)) {
        Error e = not_allowed(as_set, value, key.allowed);
        e.message += ": " + quoted(bad) + " is not one";
        return e;
      }
      return std::int64_t{mask};
    }
    case Form::kServers: {
      auto servers = parse_servers(value);
      if (!servers.ok()) return servers.error();
      return std::int64_t{0};
    }
  }
  return std::int64_t{0};
}

Result<std::vector<HostPort>> parse_servers(std::string_view list) {
  constexpr std::string_view kKey = "bootstrap.servers";
  constexpr std::string_view kAllowed = "a comma-separated list of host:port";
  const std::string_view whole = list;
  auto bad = [&](std::string_view entry, std::string_view why) {
    Error e = not_allowed(kKey, whole, kAllowed);
    e.message += ": " + quoted(entry) + " " + std::string(why);
    return e;
  };
  std::vector<HostPort> out;
  while (true) {
    const auto comma = list.find(',', 0);
    const std::string_view entry = trim(list.substr(0, comma));
    if (!entry.empty()) {
      std::string_view host;
      std::string_view port;
      if (entry.front() == '[') {
        const auto close = entry.find(']');
        if (close == std::string_view::npos) return bad(entry, "has \"[\" without \"]\"");
        host = entry.substr(1, close - 1);
        if (close + 1 >= entry.size() || entry[close + 1] != ':') return bad(entry, "has no port");
        port = entry.substr(close + 2);
      } else {
        const auto colon = entry.rfind(':');
        if (colon == std::string_view::npos) return bad(entry, "has no port");
        host = entry.substr(0, colon);
        port = entry.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) {
          return bad(entry, "needs brackets around an IPv6 address: [addr]:port");
        }
      }
      if (host.empty()) return bad(entry, "has no host");
      std::uint16_t number = 0;
      const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
      if (port.empty() || ec != std::errc() || end != port.data() + port.size() || number == 0) {
        return bad(entry, "has no port from 1 to 65535");
      }
      out.push_back({std::string(host), number});
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (out.empty()) {
    return Error{Errc::kInvalidConfig, std::string(kKey) + ": " + quoted(whole) + " is not " +
                                           std::string(kAllowed) + ": it names no server"};
  }
  return out;
}

Result<Settings> parse_settings(const Config& config) {
  Parsed p;
  for (const auto& [name, value] : config.values()) {
    const KeyInfo* key = find_key(name);
    if (key == nullptr) return unknown_key(name);
    auto number = read_form(*key, name, value);
    if (!number.ok()) return number.error();
    const std::int64_t n = *number;
    if (key->form == Form::kInteger &&
        (n < key->min || n > key->max || (key->power_of_two && (n & (n - 1)) != 0))) {
      return not_allowed(name, value, key->allowed);
    }
    key->store(p, n, value);
  }
  Settings& s = p.settings;
  if (s.bootstrap_servers.empty()) {
    return Error{Errc::kInvalidConfig,
                 "bootstrap.servers: required (a comma-separated list of host:port)"};
  }
  if (auto e = resolve_level(p)) return *std::move(e);
  if (auto e = resolve_idempotence(config, s)) return *std::move(e);
  if (auto e = resolve_timeouts(config, s)) return *std::move(e);
  if (auto e = resolve_security(config, p)) return *std::move(e);
  s.callback = config.callback();
  s.callback_context = config.callback_context();
  // librdkafka: setting debug raises log_level to debug.
  if (s.debug != 0) s.log_level = static_cast<int>(LogLevel::kDebug);
  s.statistics_callback = config.statistics_callback();
  s.statistics_context = config.statistics_context();
  s.log = Log(config.log_callback(), config.log_context(), config.error_callback(),
              config.error_context(), s.log_level, s.debug, s.client_id);
  return std::move(p.settings);
}

}  // namespace ringkafka::config