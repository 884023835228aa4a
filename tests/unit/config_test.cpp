#include "ringkafka/config.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compress/codec.h"
#include "config/keys.h"
#include "config/settings.h"
#include "partition/partitioner.h"

namespace rc = ringkafka::config;
using ringkafka::Config;
using ringkafka::Errc;
using ringkafka::wire::Compression;

namespace {

constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

Config with_servers(Config c = Config()) {
  c.bootstrap_servers("localhost:9092");
  return c;
}

rc::Settings parse_ok(const Config& c) {
  auto s = rc::parse_settings(c);
  EXPECT_TRUE(s.ok()) << s.error().message;
  if (!s.ok()) return {};
  return std::move(s).value();
}

// The error's message, which must contain every one of `parts`.
std::string expect_error(const ringkafka::Error& e, std::initializer_list<std::string> parts) {
  EXPECT_EQ(e.code, Errc::kInvalidConfig);
  for (const auto& part : parts) {
    EXPECT_NE(e.message.find(part), std::string::npos)
        << "\"" << part << "\" not in: " << e.message;
  }
  return e.message;
}

std::string parse_error(const Config& c, std::initializer_list<std::string> parts) {
  auto s = rc::parse_settings(c);
  EXPECT_FALSE(s.ok());
  if (s.ok()) return {};
  return expect_error(s.error(), parts);
}

std::string set_error(std::string_view key, std::string_view value,
                      std::initializer_list<std::string> parts) {
  Config c;
  auto r = c.set(key, value);
  EXPECT_FALSE(r.ok()) << key << "=" << value;
  EXPECT_TRUE(c.values().empty());
  if (r.ok()) return {};
  return expect_error(r.error(), parts);
}

// Every field, one per line, so that a mismatch reads as a diff.
std::string describe(const rc::Settings& s) {
  std::ostringstream o;
  for (const auto& hp : s.bootstrap_servers) o << "server " << hp.host << " " << hp.port << "\n";
  o << "client_id " << s.client_id << "\nacks " << s.acks << "\nlinger_ms " << s.linger_ms
    << "\nbatch_size " << s.batch_size << "\nbuffer_memory " << s.buffer_memory
    << "\nmax_block_ms " << s.max_block_ms << "\ncompression " << static_cast<int>(s.compression)
    << "\ncompression_level " << s.compression_level << "\nenable_idempotence "
    << s.enable_idempotence << "\nmax_in_flight " << s.max_in_flight << "\nretries " << s.retries
    << "\nretry_backoff_ms " << s.retry_backoff_ms << "\nretry_backoff_max_ms "
    << s.retry_backoff_max_ms << "\ndelivery_timeout_ms " << s.delivery_timeout_ms
    << "\nrequest_timeout_ms " << s.request_timeout_ms << "\nmetadata_max_age_ms "
    << s.metadata_max_age_ms << "\nreconnect_backoff_ms " << s.reconnect_backoff_ms
    << "\nreconnect_backoff_max_ms " << s.reconnect_backoff_max_ms
    << "\nsocket_connection_setup_timeout_ms " << s.socket_connection_setup_timeout_ms
    << "\ntopic_metadata_propagation_max_ms " << s.topic_metadata_propagation_max_ms
    << "\npartitioner " << static_cast<int>(s.partitioner) << "\nmax_request_size "
    << s.max_request_size << "\nring_bytes " << s.ring_bytes << "\nreport_queue_size "
    << s.report_queue_size << "\nmax_producer_threads " << s.max_producer_threads
    << "\nmax_topics " << s.max_topics << "\nsender_cpu " << s.sender_cpu << "\nidle_strategy "
    << static_cast<int>(s.idle_strategy) << "\nidle_spin_us " << s.idle_spin_us
    << "\nidle_yield_us " << s.idle_yield_us << "\nidle_park_min_us " << s.idle_park_min_us
    << "\nidle_park_max_us " << s.idle_park_max_us
    << "\nuring_sqpoll " << s.uring_sqpoll << "\nuring_entries " << s.uring_entries
    << "\nlarge_pages " << s.large_pages << "\n";
  return o.str();
}

// `s`, as code in Markdown.  Appended piece by piece: GCC 12 sees a false
// -Wrestrict in "`" + s + "`".
std::string ticked(std::string_view s) {
  std::string out;
  out += '`';
  out += s;
  out += '`';
  return out;
}

// The words of an `allowed` text such as "one of a, b, c" or "true or false".
std::vector<std::string> words_of(std::string_view allowed) {
  std::string text(allowed);
  if (text.rfind("one of ", 0) == 0) text = text.substr(7);
  std::vector<std::string> out;
  std::string word;
  std::istringstream in(text);
  while (in >> word) {
    if (word == "or") continue;
    if (word.back() == ',') word.pop_back();
    out.push_back(word);
  }
  return out;
}

// --- defaults and presets ------------------------------------------------------

TEST(ConfigDefaults, AreTheJavaClients) {
  const rc::Settings s = parse_ok(with_servers());
  // Java 4.x ProducerConfig.
  EXPECT_EQ(s.acks, -1);
  EXPECT_EQ(s.linger_ms, 5);
  EXPECT_EQ(s.batch_size, 16384);
  EXPECT_EQ(s.buffer_memory, 33554432);
  EXPECT_EQ(s.max_block_ms, 60000);
  EXPECT_EQ(s.compression, Compression::kNone);
  EXPECT_TRUE(s.enable_idempotence);
  EXPECT_EQ(s.max_in_flight, 5);
  EXPECT_EQ(s.retries, INT32_MAX);
  EXPECT_EQ(s.retry_backoff_ms, 100);
  EXPECT_EQ(s.retry_backoff_max_ms, 1000);
  EXPECT_EQ(s.delivery_timeout_ms, 120000);
  EXPECT_EQ(s.request_timeout_ms, 30000);
  EXPECT_EQ(s.metadata_max_age_ms, 300000);
  EXPECT_EQ(s.reconnect_backoff_ms, 50);
  EXPECT_EQ(s.reconnect_backoff_max_ms, 1000);
  EXPECT_EQ(s.socket_connection_setup_timeout_ms, 10000);
  EXPECT_EQ(s.max_request_size, 1048576);
  EXPECT_EQ(s.partitioner, ringkafka::partition::Kind::kSticky);  // Java's placement
  // librdkafka's, where Java has no such key.
  EXPECT_EQ(s.topic_metadata_propagation_max_ms, 30000);
  // ringkafka's own.
  EXPECT_EQ(s.client_id, "ringkafka");
  EXPECT_EQ(s.ring_bytes, 4U << 20);         // bursts fit; 256 KiB would stay in L2
  EXPECT_EQ(s.large_ring_bytes, 4U << 20);  // holds a record of max.request.size
  EXPECT_EQ(s.report_queue_size, 16384U);
  EXPECT_EQ(s.max_producer_threads, 64U);
  EXPECT_EQ(s.max_topics, 1024U);
  EXPECT_EQ(s.sender_cpu, -1);
  EXPECT_EQ(s.idle_strategy, rc::IdleStrategy::kBackoff);
  EXPECT_EQ(s.idle_spin_us, 50);
  EXPECT_EQ(s.idle_yield_us, 50);
  EXPECT_EQ(s.idle_park_min_us, 10);
  EXPECT_EQ(s.idle_park_max_us, 1000);
  EXPECT_FALSE(s.uring_sqpoll);
  EXPECT_EQ(s.uring_entries, 256U);
  EXPECT_FALSE(s.large_pages);
  EXPECT_EQ(s.callback, nullptr);
}

// The table's default texts, set explicitly, give what Settings{} holds.
TEST(ConfigRules, TheLargeRingHoldsARecordOfMaxRequestSize) {
  using Sizes = std::pair<std::size_t, std::size_t>;  // ring.bytes, the large ring
  // A record takes at most half a ring; Java accepts any record up to
  // max.request.size, so the ring for records above ring.bytes / 8 holds
  // one.  ring.bytes is kept as set.
  auto with = [](std::initializer_list<std::pair<const char*, const char*>> kv) {
    Config c = with_servers();
    for (const auto& [k, v] : kv) EXPECT_TRUE(c.set(k, v).ok()) << k;
    const auto s = parse_ok(c);
    return Sizes(s.ring_bytes, s.large_ring_bytes);
  };
  EXPECT_EQ(with({{"ring.bytes", "8192"}}), Sizes(8192, 4U << 20));
  EXPECT_EQ(with({{"max.request.size", "3000000"}}), Sizes(4U << 20, 8U << 20));
  EXPECT_EQ(with({{"ring.bytes", "4096"}, {"max.request.size", "1000"}}),
            Sizes(4096, 16384));
  // The small ring takes every record: the large one stays at its minimum.
  EXPECT_EQ(with({{"ring.bytes", "67108864"}}), Sizes(64U << 20, 4096));
}

TEST(ConfigDefaults, TableMatchesSettings) {
  Config c = with_servers();
  for (const rc::KeyInfo& key : rc::keys()) {
    if (key.default_value.empty()) continue;
    ASSERT_TRUE(c.set(key.name, key.default_value).ok()) << key.name;
  }
  rc::Settings expected;
  expected.bootstrap_servers = {{"localhost", 9092}};
  expected.compression_level = 0;  // none's default
  EXPECT_EQ(describe(parse_ok(c)), describe(expected));
  EXPECT_EQ(describe(parse_ok(with_servers())), describe(expected));
}

TEST(ConfigPresets, LowLatency) {
  const Config c = Config::low_latency();
  EXPECT_EQ(c.get("linger.ms"), "0");
  const rc::Settings s = parse_ok(with_servers(c));
  EXPECT_EQ(s.linger_ms, 0);
  EXPECT_EQ(s.batch_size, 16384);
  EXPECT_EQ(s.acks, 1);
  EXPECT_FALSE(s.enable_idempotence);
  EXPECT_EQ(s.compression, Compression::kNone);
  EXPECT_EQ(s.max_block_ms, 0);
  EXPECT_EQ(s.delivery_timeout_ms, 120000);
  EXPECT_EQ(s.idle_strategy, rc::IdleStrategy::kSpin);
}

// Only low_latency keeps a core busy; the rest park when idle.
TEST(ConfigPresets, OnlyLowLatencySpins) {
  for (const Config& c : {Config(), Config::durable(), Config::throughput()}) {
    EXPECT_EQ(parse_ok(with_servers(c)).idle_strategy, rc::IdleStrategy::kBackoff);
  }
}

TEST(ConfigPresets, Durable) {
  const rc::Settings s = parse_ok(with_servers(Config::durable()));
  EXPECT_EQ(s.acks, -1);
  EXPECT_TRUE(s.enable_idempotence);
  EXPECT_EQ(s.max_in_flight, 5);
  EXPECT_EQ(s.retries, INT32_MAX);
  EXPECT_EQ(s.delivery_timeout_ms, 120000);  // what bounds the retries
}

TEST(ConfigPresets, Throughput) {
  const rc::Settings s = parse_ok(with_servers(Config::throughput()));
  EXPECT_EQ(s.linger_ms, 5);
  EXPECT_EQ(s.batch_size, 131072);
  EXPECT_EQ(s.compression, Compression::kLz4);
  EXPECT_EQ(s.compression_level, 9);  // lz4's default, the fast compressor
  EXPECT_EQ(s.acks, 1);
  EXPECT_FALSE(s.enable_idempotence);
}

TEST(ConfigPresets, ByName) {
  for (const char* name : {"low_latency", "durable", "throughput"}) {
    auto c = Config::preset(name);
    ASSERT_TRUE(c.ok()) << name;
    EXPECT_FALSE(c->values().empty());
  }
  EXPECT_EQ(Config::preset("low_latency")->values(), Config::low_latency().values());
  auto bad = Config::preset("fast");
  ASSERT_FALSE(bad.ok());
  expect_error(bad.error(), {"\"fast\"", "low_latency", "durable", "throughput"});
}

TEST(ConfigPresets, KeysCanBeOverridden) {
  Config c = Config::low_latency();
  ASSERT_TRUE(c.set("linger.ms", "1").ok());
  ASSERT_TRUE(c.set("compression.type", "zstd").ok());
  c.max_block_ms(250);
  rc::Settings s = parse_ok(with_servers(c));
  EXPECT_EQ(s.linger_ms, 1);
  EXPECT_EQ(s.compression, Compression::kZstd);
  EXPECT_EQ(s.max_block_ms, 250);
  EXPECT_EQ(s.acks, 1);  // the rest of the preset stays

  Config t = Config::throughput();
  ASSERT_TRUE(t.set("acks", "all").ok());
  ASSERT_TRUE(t.set("enable.idempotence", "true").ok());
  s = parse_ok(with_servers(t));
  EXPECT_EQ(s.acks, -1);
  EXPECT_TRUE(s.enable_idempotence);
  EXPECT_EQ(s.batch_size, 131072);
}

// --- set(), get() and the typed setters ---------------------------------------

TEST(ConfigSet, StoresAndGets) {
  Config c;
  EXPECT_FALSE(c.get("linger.ms").has_value());
  EXPECT_FALSE(c.get("no.such.key").has_value());
  ASSERT_TRUE(c.set("linger.ms", "7").ok());
  EXPECT_EQ(c.get("linger.ms"), "7");
  ASSERT_TRUE(c.set("linger.ms", "8").ok());
  EXPECT_EQ(c.get("linger.ms"), "8");
  EXPECT_EQ(c.values().size(), 1U);
}

TEST(ConfigSet, TypedSettersStoreAsSetWould) {
  Config c;
  c.bootstrap_servers("h:1")
      .client_id("me")
      .acks(-1)
      .linger_ms(3)
      .batch_size(1000)
      .compression("gzip")
      .enable_idempotence(false)
      .max_block_ms(9)
      .delivery_timeout_ms(60000);
  EXPECT_EQ(c.get("acks"), "-1");
  EXPECT_EQ(c.get("enable.idempotence"), "false");
  const rc::Settings s = parse_ok(c);
  EXPECT_EQ(s.bootstrap_servers.size(), 1U);
  EXPECT_EQ(s.client_id, "me");
  EXPECT_EQ(s.acks, -1);
  EXPECT_EQ(s.linger_ms, 3);
  EXPECT_EQ(s.batch_size, 1000);
  EXPECT_EQ(s.compression, Compression::kGzip);
  EXPECT_EQ(s.compression_level, -1);
  EXPECT_FALSE(s.enable_idempotence);
  EXPECT_EQ(s.max_block_ms, 9);
  EXPECT_EQ(s.delivery_timeout_ms, 60000);
}

// Typed setters only store; parse_settings finds what is wrong.
TEST(ConfigSet, TypedSettersAreCheckedByParse) {
  Config c = with_servers();
  c.compression("brotli");
  parse_error(c, {"compression.type: \"brotli\" is not one of none, gzip, snappy, lz4, zstd"});
  c = with_servers();
  c.acks(2);
  parse_error(c, {"acks: \"2\" is not one of 0, 1, -1, all"});
  c = with_servers();
  c.linger_ms(-1);
  parse_error(c, {"linger.ms: \"-1\" is not an integer >= 0"});
  c = Config().bootstrap_servers("nohost");
  parse_error(c, {"bootstrap.servers", "\"nohost\"", "has no port"});
}

TEST(ConfigSet, DeliveryCallbackReachesSettings) {
  static int context = 0;
  auto fn = [](const ringkafka::DeliveryReport&, void*) noexcept {};
  Config c = with_servers();
  c.delivery_callback(fn, &context);
  const rc::Settings s = parse_ok(c);
  EXPECT_EQ(s.callback, static_cast<ringkafka::DeliveryCallback>(fn));
  EXPECT_EQ(s.callback_context, &context);
}

TEST(ConfigAliases, NameTheirKeys) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"message.max.bytes", "max.request.size"},
      {"queue.buffering.max.ms", "linger.ms"},
      {"compression.codec", "compression.type"},
      {"request.required.acks", "acks"},
      {"message.timeout.ms", "delivery.timeout.ms"},
      {"sasl.mechanisms", "sasl.mechanism"},
  };
  ASSERT_EQ(rc::aliases().size(), expected.size());
  for (const auto& [alias, key] : expected) {
    const rc::KeyInfo* info = rc::find_key(alias);
    ASSERT_NE(info, nullptr) << alias;
    EXPECT_EQ(info->name, key);
  }
}

TEST(ConfigAliases, SetTheKey) {
  Config c = with_servers();
  ASSERT_TRUE(c.set("message.max.bytes", "2000000").ok());
  ASSERT_TRUE(c.set("queue.buffering.max.ms", "2").ok());
  ASSERT_TRUE(c.set("compression.codec", "snappy").ok());
  ASSERT_TRUE(c.set("request.required.acks", "-1").ok());
  ASSERT_TRUE(c.set("message.timeout.ms", "90000").ok());
  // Stored under the key's own name; get() answers to both.
  EXPECT_EQ(c.get("max.request.size"), "2000000");
  EXPECT_EQ(c.get("message.max.bytes"), "2000000");
  EXPECT_FALSE(c.values().contains("message.max.bytes"));
  const rc::Settings s = parse_ok(c);
  EXPECT_EQ(s.max_request_size, 2000000);
  EXPECT_EQ(s.linger_ms, 2);
  EXPECT_EQ(s.compression, Compression::kSnappy);
  EXPECT_EQ(s.acks, -1);
  EXPECT_EQ(s.delivery_timeout_ms, 90000);
}

TEST(ConfigAliases, LastSetWins) {
  Config c = with_servers();
  ASSERT_TRUE(c.set("linger.ms", "1").ok());
  ASSERT_TRUE(c.set("queue.buffering.max.ms", "2").ok());
  EXPECT_EQ(parse_ok(c).linger_ms, 2);
  ASSERT_TRUE(c.set("linger.ms", "3").ok());
  EXPECT_EQ(parse_ok(c).linger_ms, 3);
}

TEST(ConfigAliases, ErrorsNameTheAliasAsSet) {
  set_error("request.required.acks", "2",
            {"request.required.acks: \"2\" is not one of 0, 1, -1, all"});
  // The alias's own delivery timeout is checked as the key's.
  Config c = with_servers();
  ASSERT_TRUE(c.set("message.timeout.ms", "1000").ok());
  parse_error(c, {"delivery.timeout.ms", "\"1000\"", "linger.ms", "request.timeout.ms"});
}

// --- errors ----------------------------------------------------------------------

TEST(ConfigErrors, UnknownKeySuggestsTheNearest) {
  EXPECT_EQ(set_error("lingr.ms", "5", {}),
            "unknown key \"lingr.ms\"; did you mean \"linger.ms\"?");
  set_error("ack", "1", {"unknown key \"ack\"", "did you mean \"acks\"?"});
  set_error("queue.buffering.max.m", "1", {"did you mean \"queue.buffering.max.ms\"?"});
  set_error("Batch.Size", "1", {"did you mean \"batch.size\"?"});
  EXPECT_EQ(set_error("key.serializer", "x", {}), "unknown key \"key.serializer\"");
  EXPECT_EQ(set_error("", "x", {}), "unknown key \"\"");
}

TEST(ConfigErrors, WordsOutsideTheirList) {
  EXPECT_EQ(set_error("acks", "2", {}), "acks: \"2\" is not one of 0, 1, -1, all");
  set_error("acks", "ALL", {"acks", "\"ALL\""});
  set_error("compression.type", "brotli",
            {"compression.type: \"brotli\" is not one of none, gzip, snappy, lz4, zstd"});
  set_error("partitioner", "user", {"partitioner: \"user\" is not one of", "sticky"});
  set_error("partitioner", "default", {"partitioner", "\"default\""});
  set_error("enable.idempotence", "yes", {"enable.idempotence: \"yes\" is not true or false"});
  set_error("io_uring.sqpoll", "1", {"io_uring.sqpoll", "true or false"});
  set_error("memory.large.pages", "on", {"memory.large.pages"});
  set_error("sender.idle.strategy", "sleep",
            {"sender.idle.strategy: \"sleep\" is not one of spin, yield, backoff"});
}

TEST(ConfigErrors, IntegersOfTheWrongForm) {
  set_error("linger.ms", "abc", {"linger.ms: \"abc\" is not an integer >= 0"});
  set_error("linger.ms", "", {"linger.ms: \"\" is not"});
  set_error("linger.ms", "5ms", {"linger.ms: \"5ms\""});
  set_error("linger.ms", "1.5", {"linger.ms"});
  set_error("linger.ms", "+5", {"linger.ms"});
  set_error("batch.size", "0x10", {"batch.size"});
  set_error("linger.ms", "99999999999999999999", {"linger.ms", "99999999999999999999"});
  set_error("retries", "-99999999999999999999", {"retries"});
  set_error("compression.level", "99999999999", {"compression.level"});
  // Whitespace around a number is allowed, as in Java.
  Config c = with_servers();
  ASSERT_TRUE(c.set("linger.ms", " 12 ").ok());
  EXPECT_EQ(parse_ok(c).linger_ms, 12);
}

// Ranges are checked by parse_settings, not by set().
TEST(ConfigErrors, IntegersOutOfRange) {
  struct Case {
    const char* key;
    const char* value;
    const char* allowed;
  };
  const Case cases[] = {
      {"linger.ms", "-1", "an integer >= 0"},
      {"batch.size", "0", "an integer from 1 to 2147483647"},
      {"batch.size", "2147483648", "an integer from 1 to 2147483647"},
      {"max.in.flight.requests.per.connection", "0", "an integer from 1 to 2147483647"},
      {"retries", "-1", "an integer from 0 to 2147483647"},
      {"delivery.timeout.ms", "2147483648", "an integer from 0 to 2147483647"},
      {"request.timeout.ms", "-5", "an integer from 0 to 2147483647"},
      {"max.block.ms", "-1", "an integer >= 0"},
      {"ring.bytes", "2048", "a power of two from 4096 to 1073741824"},
      {"ring.bytes", "5000", "a power of two from 4096 to 1073741824"},
      {"ring.bytes", "2147483648", "a power of two from 4096 to 1073741824"},
      {"report.queue.size", "32", "a power of two from 64 to 1073741824"},
      {"report.queue.size", "100", "a power of two from 64 to 1073741824"},
      {"producer.threads.max", "0", "an integer from 1 to 4096"},
      {"producer.threads.max", "4097", "an integer from 1 to 4096"},
      {"topics.max", "0", "an integer from 1 to 65535"},
      {"topics.max", "65536", "an integer from 1 to 65535"},
      {"sender.cpu", "-2", "an integer from -1 to 1023"},
      {"sender.cpu", "1024", "an integer from -1 to 1023"},
      {"io_uring.entries", "4", "a power of two from 8 to 32768"},
      {"io_uring.entries", "100", "a power of two from 8 to 32768"},
      {"io_uring.entries", "65536", "a power of two from 8 to 32768"},
      {"sender.idle.spin.us", "-1", "an integer from 0 to 1000000"},
      {"max.request.size", "0", "an integer from 1 to 2147483647"},
  };
  for (const Case& k : cases) {
    Config c = with_servers();
    ASSERT_TRUE(c.set(k.key, k.value).ok()) << k.key << "=" << k.value;
    EXPECT_EQ(parse_error(c, {}), std::string(k.key) + ": \"" + k.value + "\" is not " + k.allowed);
  }
}

// min and max of every integer key pass; one beyond fails.  The base
// configuration keeps the combination rules out of the way.
TEST(ConfigErrors, IntegerBoundsFollowTheTable) {
  auto base = [] {
    Config c = with_servers();
    EXPECT_TRUE(c.set("enable.idempotence", "false").ok());
    EXPECT_TRUE(c.set("max.request.size", "2147483647").ok());
    EXPECT_TRUE(c.set("linger.ms", "0").ok());
    EXPECT_TRUE(c.set("request.timeout.ms", "0").ok());
    EXPECT_TRUE(c.set("retry.backoff.ms", "0").ok());
    EXPECT_TRUE(c.set("reconnect.backoff.ms", "0").ok());
    EXPECT_TRUE(c.set("sender.idle.park.min.us", "1").ok());
    return c;
  };
  for (const rc::KeyInfo& key : rc::keys()) {
    if (key.form != rc::Form::kInteger) continue;
    for (const std::int64_t n : {key.min, key.max}) {
      Config c = base();
      ASSERT_TRUE(c.set(key.name, std::to_string(n)).ok()) << key.name;
      auto s = rc::parse_settings(c);
      EXPECT_TRUE(s.ok()) << key.name << "=" << n << ": " << s.error().message;
    }
    for (const std::int64_t n : {key.min - 1, key.max + (key.max < kInt64Max ? 1 : 0)}) {
      if (n == key.max) continue;
      Config c = base();
      ASSERT_TRUE(c.set(key.name, std::to_string(n)).ok());
      parse_error(c, {std::string(key.name) + ": \"" + std::to_string(n) + "\" is not " +
                      std::string(key.allowed)});
    }
  }
}

TEST(ConfigErrors, TransactionalIdIsAProtocolString) {
  set_error("transactional.id", "", {"transactional.id: \"\" is not a string of 1 to 32767 bytes"});
  set_error("transactional.id", std::string(32768, 'x'), {"transactional.id", "1 to 32767 bytes"});
  Config c = with_servers();
  ASSERT_TRUE(c.set("transactional.id", std::string(32767, 'x')).ok());
  ASSERT_TRUE(c.set("transactional.id", "tx-1").ok());
  auto s = rc::parse_settings(c);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->transactional_id, "tx-1");
  EXPECT_EQ(s->transaction_timeout_ms, 60000);
  EXPECT_TRUE(s->enable_idempotence);
}

// As Java: a transactional producer is idempotent, so a conflicting key is
// an error (naming both) even when enable.idempotence was not set.
TEST(ConfigErrors, TransactionalIdNeedsIdempotence) {
  auto with = [](std::map<std::string, std::string> extra) {
    Config c = with_servers();
    EXPECT_TRUE(c.set("transactional.id", "tx").ok());
    for (const auto& [k, v] : extra) EXPECT_TRUE(c.set(k, v).ok()) << k;
    return c;
  };
  parse_error(with({{"enable.idempotence", "false"}}),
              {"enable.idempotence: \"false\" conflicts with transactional.id"});
  parse_error(with({{"acks", "1"}}), {"acks: \"1\" conflicts with transactional.id", "acks=all"});
  parse_error(with({{"retries", "0"}}), {"retries: \"0\" conflicts with transactional.id"});
  parse_error(with({{"max.in.flight.requests.per.connection", "6"}}),
              {"max.in.flight.requests.per.connection: \"6\" conflicts with transactional.id"});
  // Without transactional.id the default idempotence quietly gives way.
  Config plain = with_servers();
  ASSERT_TRUE(plain.set("acks", "1").ok());
  auto s = rc::parse_settings(plain);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->enable_idempotence);
}

TEST(ConfigErrors, BootstrapServersRequired) {
  parse_error(Config(), {"bootstrap.servers: required"});
  parse_error(Config::low_latency(), {"bootstrap.servers"});
}

// --- bootstrap.servers -------------------------------------------------------------

TEST(ConfigBootstrap, ParsesHostsPortsAndIpv6) {
  Config c;
  ASSERT_TRUE(c.set("bootstrap.servers",
                    " broker-1.example:9092,10.0.0.2:19092 , [::1]:9093,[fe80::1%eth0]:1,")
                  .ok());
  const rc::Settings s = parse_ok(c);
  ASSERT_EQ(s.bootstrap_servers.size(), 4U);
  EXPECT_EQ(s.bootstrap_servers[0].host, "broker-1.example");
  EXPECT_EQ(s.bootstrap_servers[0].port, 9092);
  EXPECT_EQ(s.bootstrap_servers[1].host, "10.0.0.2");
  EXPECT_EQ(s.bootstrap_servers[1].port, 19092);
  EXPECT_EQ(s.bootstrap_servers[2].host, "::1");
  EXPECT_EQ(s.bootstrap_servers[2].port, 9093);
  EXPECT_EQ(s.bootstrap_servers[3].host, "fe80::1%eth0");
  EXPECT_EQ(s.bootstrap_servers[3].port, 1);

  c.bootstrap_servers("h:65535");
  EXPECT_EQ(parse_ok(c).bootstrap_servers.at(0).port, 65535);
}

TEST(ConfigBootstrap, RejectsMalformedEntries) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "names no server"},
      {" , ,", "names no server"},
      {"localhost", "\"localhost\" has no port"},
      {"localhost:", "has no port from 1 to 65535"},
      {"localhost:0", "has no port from 1 to 65535"},
      {"localhost:65536", "has no port from 1 to 65535"},
      {"localhost:99999999999", "has no port from 1 to 65535"},
      {"localhost:x", "has no port from 1 to 65535"},
      {"localhost:-1", "has no port from 1 to 65535"},
      {"a:1,b", "\"b\" has no port"},
      {":9092", "has no host"},
      {"[]:9092", "has no host"},
      {"::1:9092", "needs brackets"},
      {"[::1]", "has no port"},
      {"[::1]9092", "has no port"},
      {"[::1:9092", "without \"]\""},
  };
  for (const auto& [value, why] : cases) {
    const std::string message =
        set_error("bootstrap.servers", value, {"bootstrap.servers: \"", "host:port", why});
    EXPECT_NE(message.find(std::string("\"") + value + "\""), std::string::npos) << message;
  }
}

// --- combinations -------------------------------------------------------------------

TEST(ConfigIdempotence, DefaultGivesWayToConflictingKeys) {
  for (const auto& [key, value] : std::vector<std::pair<const char*, const char*>>{
           {"acks", "1"}, {"acks", "0"}, {"max.in.flight.requests.per.connection", "6"},
           {"retries", "0"}}) {
    Config c = with_servers();
    ASSERT_TRUE(c.set(key, value).ok());
    EXPECT_FALSE(parse_ok(c).enable_idempotence) << key << "=" << value;
  }
  Config c = with_servers();
  ASSERT_TRUE(c.set("acks", "-1").ok());
  ASSERT_TRUE(c.set("max.in.flight.requests.per.connection", "5").ok());
  ASSERT_TRUE(c.set("retries", "1").ok());
  EXPECT_TRUE(parse_ok(c).enable_idempotence);
}

TEST(ConfigIdempotence, ExplicitTrueConflictIsAnError) {
  struct Case {
    const char* key;
    const char* value;
  };
  for (const Case& k : {Case{"acks", "1"}, Case{"acks", "0"},
                        Case{"max.in.flight.requests.per.connection", "6"},
                        Case{"retries", "0"}}) {
    Config c = with_servers();
    ASSERT_TRUE(c.set("enable.idempotence", "true").ok());
    ASSERT_TRUE(c.set(k.key, k.value).ok());
    parse_error(c, {std::string(k.key) + ": \"" + k.value + "\"", "enable.idempotence=true"});
  }
  // The durable preset asks for idempotence explicitly.
  Config d = with_servers(Config::durable());
  ASSERT_TRUE(d.set("acks", "1").ok());
  EXPECT_EQ(parse_error(d, {}),
            "acks: \"1\" conflicts with enable.idempotence=true, which needs acks=all (-1)");
}

TEST(ConfigIdempotence, ExplicitFalseAllowsAnything) {
  Config c = with_servers();
  ASSERT_TRUE(c.set("enable.idempotence", "false").ok());
  EXPECT_FALSE(parse_ok(c).enable_idempotence);
  ASSERT_TRUE(c.set("max.in.flight.requests.per.connection", "100").ok());
  ASSERT_TRUE(c.set("acks", "0").ok());
  EXPECT_EQ(parse_ok(c).max_in_flight, 100);
}

TEST(ConfigTimeouts, DeliveryTimeoutRaisedWhenNotSet) {
  Config c = with_servers();
  ASSERT_TRUE(c.set("linger.ms", "100000").ok());
  EXPECT_EQ(parse_ok(c).delivery_timeout_ms, 130000);
  c = with_servers();
  ASSERT_TRUE(c.set("request.timeout.ms", "200000").ok());
  EXPECT_EQ(parse_ok(c).delivery_timeout_ms, 200005);
  // linger.ms counts up to INT_MAX, and the sum is capped there, as in Java.
  c = with_servers();
  ASSERT_TRUE(c.set("linger.ms", std::to_string(kInt64Max)).ok());
  EXPECT_EQ(parse_ok(c).delivery_timeout_ms, kInt32Max);
}

TEST(ConfigTimeouts, DeliveryTimeoutSetTooLowIsAnError) {
  Config c = with_servers();
  ASSERT_TRUE(c.set("delivery.timeout.ms", "30004").ok());
  EXPECT_EQ(parse_error(c, {}),
            "delivery.timeout.ms: \"30004\" is less than linger.ms + request.timeout.ms (5 + "
            "30000)");
  ASSERT_TRUE(c.set("delivery.timeout.ms", "30005").ok());
  EXPECT_EQ(parse_ok(c).delivery_timeout_ms, 30005);
  ASSERT_TRUE(c.set("linger.ms", "6").ok());
  parse_error(c, {"delivery.timeout.ms", "linger.ms", "request.timeout.ms", "(6 + 30000)"});
}

TEST(ConfigTimeouts, BackoffBounds) {
  for (const char* name : {"retry", "reconnect"}) {
    const std::string prefix = name;
    const std::string base = prefix + ".backoff.ms";
    const std::string max = prefix + ".backoff.max.ms";
    Config c = with_servers();
    ASSERT_TRUE(c.set(base, "2000").ok());
    const rc::Settings s = parse_ok(c);
    EXPECT_EQ(prefix == "retry" ? s.retry_backoff_max_ms : s.reconnect_backoff_max_ms, 2000);
    ASSERT_TRUE(c.set(max, "1999").ok());
    EXPECT_EQ(parse_error(c, {}), max + ": \"1999\" is less than " + base + " (2000)");
    ASSERT_TRUE(c.set(max, "2000").ok());
    EXPECT_TRUE(rc::parse_settings(c).ok());
  }
  Config c = with_servers();
  ASSERT_TRUE(c.set("retry.backoff.max.ms", "10").ok());  // below the default 100
  parse_error(c, {"retry.backoff.max.ms: \"10\"", "retry.backoff.ms (100)"});
}

// The park bounds: a maximum below the minimum is an error when set, and is
// raised to the minimum when left at its default.
TEST(ConfigIdle, ParkBounds) {
  Config c = with_servers();
  ASSERT_TRUE(c.set("sender.idle.park.min.us", "5000").ok());
  EXPECT_EQ(parse_ok(c).idle_park_max_us, 5000);
  ASSERT_TRUE(c.set("sender.idle.park.max.us", "4999").ok());
  EXPECT_EQ(parse_error(c, {}),
            "sender.idle.park.max.us: \"4999\" is less than sender.idle.park.min.us (5000)");
  ASSERT_TRUE(c.set("sender.idle.strategy", "adaptive").ok());  // the older word
  ASSERT_TRUE(c.set("sender.idle.park.max.us", "5000").ok());
  EXPECT_EQ(parse_ok(c).idle_strategy, rc::IdleStrategy::kBackoff);
}

TEST(ConfigTimeouts, BatchSizeWithinMaxRequestSize) {
  Config c = with_servers();
  ASSERT_TRUE(c.set("max.request.size", "1000").ok());
  EXPECT_EQ(parse_ok(c).batch_size, 1000);  // the default gives way
  ASSERT_TRUE(c.set("batch.size", "1001").ok());
  EXPECT_EQ(parse_error(c, {}), "batch.size: \"1001\" is more than max.request.size (1000)");
  c = with_servers();
  ASSERT_TRUE(c.set("batch.size", "2097152").ok());
  parse_error(c, {"batch.size", "max.request.size (1048576)"});
  ASSERT_TRUE(c.set("message.max.bytes", "2097152").ok());
  EXPECT_EQ(parse_ok(c).batch_size, 2097152);
}

// --- compression levels -----------------------------------------------------------

TEST(ConfigCompression, LevelDefaultsPerCodec) {
  const std::pair<const char*, int> cases[] = {
      {"none", 0}, {"gzip", -1}, {"snappy", 0}, {"lz4", 9}, {"zstd", 3}};
  for (const auto& [codec, level] : cases) {
    Config c = with_servers();
    ASSERT_TRUE(c.set("compression.type", codec).ok());
    EXPECT_EQ(parse_ok(c).compression_level, level) << codec;
    for (const char* zero : {"0", "-1"}) {
      ASSERT_TRUE(c.set("compression.level", zero).ok());
      EXPECT_EQ(parse_ok(c).compression_level, level) << codec << " compression.level=" << zero;
    }
  }
}

TEST(ConfigCompression, LevelForTheChosenCodec) {
  Config c = with_servers();
  ASSERT_TRUE(c.set("compression.type", "gzip").ok());
  ASSERT_TRUE(c.set("compression.level", "5").ok());
  EXPECT_EQ(parse_ok(c).compression_level, 5);
  ASSERT_TRUE(c.set("compression.level", "10").ok());
  parse_error(c, {"compression.level: \"10\" is not a level of gzip (compression.type): 1..9"});
  ASSERT_TRUE(c.set("compression.type", "lz4").ok());
  ASSERT_TRUE(c.set("compression.level", "17").ok());
  EXPECT_EQ(parse_ok(c).compression_level, 17);
  ASSERT_TRUE(c.set("compression.level", "18").ok());
  parse_error(c, {"compression.level: \"18\"", "lz4", "1..17"});
  ASSERT_TRUE(c.set("compression.type", "zstd").ok());
  ASSERT_TRUE(c.set("compression.level", "-5").ok());
  EXPECT_EQ(parse_ok(c).compression_level, -5);
  ASSERT_TRUE(c.set("compression.type", "snappy").ok());
  ASSERT_TRUE(c.set("compression.level", "1").ok());
  parse_error(c, {"compression.level: \"1\" is not a level of snappy"});
  ASSERT_TRUE(c.set("compression.type", "none").ok());
  parse_error(c, {"compression.level: \"1\" is not a level of none"});
}

TEST(ConfigCompression, JavaPerCodecLevels) {
  Config c = with_servers();
  ASSERT_TRUE(c.set("compression.type", "zstd").ok());
  ASSERT_TRUE(c.set("compression.zstd.level", "19").ok());
  ASSERT_TRUE(c.set("compression.gzip.level", "9").ok());  // another codec's: ignored
  ASSERT_TRUE(c.set("compression.lz4.level", "1").ok());
  EXPECT_EQ(parse_ok(c).compression_level, 19);
  ASSERT_TRUE(c.set("compression.zstd.level", "0").ok());
  EXPECT_EQ(parse_ok(c).compression_level, 3);

  // Checked even when their codec is not chosen, as Java does.
  const std::pair<const char*, const char*> bad[] = {
      {"compression.gzip.level", "10"}, {"compression.gzip.level", "-2"},
      {"compression.lz4.level", "18"},  {"compression.lz4.level", "-1"},
      {"compression.zstd.level", "23"},
  };
  for (const auto& [key, value] : bad) {
    Config b = with_servers();
    ASSERT_TRUE(b.set(key, value).ok());
    parse_error(b, {std::string(key) + ": \"" + value + "\" is not a level of"});
  }
  Config g = with_servers();
  ASSERT_TRUE(g.set("compression.type", "gzip").ok());
  ASSERT_TRUE(g.set("compression.gzip.level", "-1").ok());
  EXPECT_EQ(parse_ok(g).compression_level, -1);
}

TEST(ConfigCompression, GenericAndPerCodecLevelsMustAgree) {
  Config c = with_servers();
  ASSERT_TRUE(c.set("compression.type", "lz4").ok());
  ASSERT_TRUE(c.set("compression.level", "4").ok());
  ASSERT_TRUE(c.set("compression.lz4.level", "4").ok());
  EXPECT_EQ(parse_ok(c).compression_level, 4);
  ASSERT_TRUE(c.set("compression.lz4.level", "5").ok());
  parse_error(c, {"compression.level: \"4\"", "compression.lz4.level (5)"});
  ASSERT_TRUE(c.set("compression.zstd.level", "7").ok());  // not the chosen codec
  ASSERT_TRUE(c.set("compression.lz4.level", "4").ok());
  EXPECT_EQ(parse_ok(c).compression_level, 4);
}

// --- the table itself -----------------------------------------------------------------

TEST(ConfigKeys, NamesAreUniqueAndFound) {
  std::set<std::string_view> names;
  for (const rc::KeyInfo& key : rc::keys()) {
    EXPECT_TRUE(names.insert(key.name).second) << key.name;
    EXPECT_EQ(rc::find_key(key.name), &key);
    EXPECT_FALSE(key.allowed.empty()) << key.name;
    EXPECT_FALSE(key.meaning.empty()) << key.name;
    EXPECT_NE(key.store, nullptr) << key.name;
    if (key.form == rc::Form::kWord) {
      EXPECT_NE(key.lookup, nullptr) << key.name;
    }
  }
  for (const rc::Alias& alias : rc::aliases()) {
    EXPECT_FALSE(names.contains(alias.name)) << alias.name;
    EXPECT_TRUE(names.contains(alias.key)) << alias.key;
  }
  EXPECT_EQ(rc::find_key("nope"), nullptr);
}

// The words in each key's `allowed` text are exactly what it accepts.
TEST(ConfigKeys, AllowedWordsAreAccepted) {
  for (const rc::KeyInfo& key : rc::keys()) {
    if (key.form != rc::Form::kWord) continue;
    const auto words = words_of(key.allowed);
    EXPECT_GE(words.size(), 2U) << key.name;
    for (const auto& word : words) {
      Config c;
      EXPECT_TRUE(c.set(key.name, word).ok()) << key.name << "=" << word;
    }
  }
}

// partitioner accepts the names partition::kind_from_name knows, all of them.
TEST(ConfigKeys, PartitionerNamesArePartitionsOwn) {
  namespace rp = ringkafka::partition;
  const rc::KeyInfo* key = rc::find_key("partitioner");
  ASSERT_NE(key, nullptr);
  const auto words = words_of(key->allowed);
  const std::set<std::string> listed(words.begin(), words.end());
  std::set<std::string> known;
  for (int i = 0; i <= static_cast<int>(rp::Kind::kUser); ++i) {
    const auto kind = static_cast<rp::Kind>(i);
    if (kind == rp::Kind::kUser) continue;
    known.insert(std::string(rp::name(kind)));
    Config c = with_servers();
    ASSERT_TRUE(c.set("partitioner", rp::name(kind)).ok());
    EXPECT_EQ(parse_ok(c).partitioner, kind);
  }
  EXPECT_EQ(listed, known);
}

TEST(ConfigKeys, ErrcHasText) {
  std::set<std::string> seen;
  for (int i = 0; i <= static_cast<int>(Errc::kAuthentication); ++i) {
    const char* text = ringkafka::to_string(static_cast<Errc>(i));
    ASSERT_NE(text, nullptr);
    EXPECT_TRUE(seen.insert(text).second) << text;
  }
  EXPECT_STREQ(ringkafka::to_string(Errc::kQueueFull), "queue full");
}

// docs/configuration.md has a row `| \`key\` | default | allowed | meaning |`
// for every key, in the table's words, and names every alias.
TEST(ConfigKeys, DocumentedInConfigurationMd) {
  std::ifstream in(std::string(RINGKAFKA_DOCS_DIR) + "/configuration.md");
  ASSERT_TRUE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  for (const rc::KeyInfo& key : rc::keys()) {
    const std::string row_start = "| " + ticked(key.name) + " | ";
    const auto at = doc.find(row_start);
    ASSERT_NE(at, std::string::npos) << key.name << " has no row";
    const std::string row = doc.substr(at, doc.find('\n', at) - at);
    const std::string default_text =
        key.default_value.empty() ? "(none)" : ticked(key.default_value);
    const std::string expected = row_start + default_text + " | " + std::string(key.allowed) +
                                 " | " + std::string(key.meaning) + " |";
    EXPECT_EQ(row, expected);
  }
  for (const rc::Alias& alias : rc::aliases()) {
    EXPECT_NE(doc.find(ticked(alias.name)), std::string::npos) << alias.name;
  }
}

}  // namespace
