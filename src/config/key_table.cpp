// The table of keys: every key's name, default, allowed values, meaning
// and how it is stored into Settings, with librdkafka's aliases.  One
// source for set(), parse_settings(), the tests and docs/configuration.md.
#include <algorithm>
#include <climits>
#include <cstddef>
#include <string>
#include <vector>

#include "compress/codec.h"
#include "config/keys.h"
#include "config/settings.h"
#include "config/text.h"

namespace ringkafka::config {
namespace {

using namespace text;
using wire::Compression;

// --- words ---------------------------------------------------------------------

std::optional<std::int64_t> acks_word(std::string_view w) noexcept {
  if (w == "all" || w == "-1") return -1;
  if (w == "0") return 0;
  if (w == "1") return 1;
  return std::nullopt;
}

std::optional<std::int64_t> codec_word(std::string_view w) noexcept {
  for (std::size_t i = 0; i < kCodecNames.size(); ++i) {
    if (kCodecNames[i] == w) return static_cast<std::int64_t>(i);
  }
  return std::nullopt;
}

std::optional<std::int64_t> partitioner_word(std::string_view w) noexcept {
  const auto kind = partition::kind_from_name(w);
  if (!kind) return std::nullopt;
  return static_cast<std::int64_t>(*kind);
}

std::optional<std::int64_t> idle_word(std::string_view w) noexcept {
  if (w == "spin") return static_cast<std::int64_t>(IdleStrategy::kSpin);
  if (w == "yield") return static_cast<std::int64_t>(IdleStrategy::kYield);
  // "adaptive": this key's word for back-off before the strategies took
  // Aeron's names; it spun, then slept, as backoff does.
  if (w == "backoff" || w == "adaptive") return static_cast<std::int64_t>(IdleStrategy::kBackoff);
  return std::nullopt;
}

// --- the table -----------------------------------------------------------------

constexpr std::string_view kAtLeast0 = "an integer >= 0";
constexpr std::string_view kInt32AtLeast0 = "an integer from 0 to 2147483647";
constexpr std::string_view kBoolean = "true or false";

// Java's names and meanings where the Java client has the key, librdkafka's
// where only it does.  Defaults: the Java 4.x client's.
constexpr KeyInfo kKeys[] = {
    // --- shared with the Java client and librdkafka ---------------------------
    {.name = "bootstrap.servers",
     .default_value = "",
     .allowed = "a comma-separated list of host:port ([addr]:port for IPv6)",
     .meaning = "Brokers to fetch the cluster's metadata from first (required)",
     .form = Form::kServers,
     .store = [](Parsed& p, std::int64_t, std::string_view v) {
       p.settings.bootstrap_servers = parse_servers(v).value();
     }},
    {.name = "client.id",
     .default_value = "ringkafka",
     .allowed = "any string",
     .meaning = "Sent with every request, for the brokers' logs and quotas",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { p.settings.client_id = v; }},
    {.name = "debug",
     .default_value = "",
     .allowed = "a comma-separated list of generic, broker, topic, metadata, feature, queue, "
                "msg, protocol, cgrp, security, fetch, interceptor, plugin, consumer, admin, "
                "eos, idempotence, mock, assignor, conf, telemetry, all",
     .meaning = "librdkafka's debug contexts to log at level 7 (raises log_level to 7); "
                "contexts a producer has no use for are accepted and log nothing",
     .form = Form::kContexts,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.debug = static_cast<std::uint32_t>(n);
     }},
    {.name = "statistics.interval.ms",
     .default_value = "0",
     .allowed = "an integer from 0 to 86400000",
     .meaning = "How often the statistics callback gets a snapshot (0: never; "
                "Producer::statistics() works either way)",
     .min = 0,
     .max = 86'400'000,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.statistics_interval_ms = static_cast<std::int32_t>(n);
     }},
    {.name = "log_level",
     .default_value = "6",
     .allowed = "an integer from 0 to 7",
     .meaning = "The most verbose syslog level logged (0 emergency ... 6 info, 7 debug)",
     .min = 0,
     .max = 7,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.log_level = static_cast<int>(n);
     }},
    {.name = "acks",
     .default_value = "all",
     .allowed = "one of 0, 1, -1, all",
     .meaning = "Acknowledgements the leader waits for: 0 none, 1 its own, all (-1) every "
                "in-sync replica's",
     .form = Form::kWord,
     .lookup = acks_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.acks = static_cast<std::int16_t>(n);
     }},
    {.name = "linger.ms",
     .default_value = "5",
     .allowed = kAtLeast0,
     .meaning = "How long a batch waits for more records before it is sent",
     .min = 0,
     .max = kInt64Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) { p.settings.linger_ms = n; }},
    {.name = "batch.size",
     .default_value = "16384",
     .allowed = "an integer from 1 to 2147483647",
     .meaning = "Bytes a partition's batch grows to before it is sent; also sticky's switch point",
     .min = 1,
     .max = kInt32Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.batch_size = static_cast<std::int32_t>(n);
     }},
    {.name = "buffer.memory",
     .default_value = "33554432",
     .allowed = kAtLeast0,
     .meaning = "Bytes of records waiting to be sent before produce() waits (max.block.ms) "
                "or fails",
     .min = 0,
     .max = kInt64Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) { p.settings.buffer_memory = n; }},
    {.name = "max.block.ms",
     .default_value = "60000",
     .allowed = kAtLeast0,
     .meaning = "How long produce() waits for room; 0: fail at once with kQueueFull",
     .min = 0,
     .max = kInt64Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) { p.settings.max_block_ms = n; }},
    {.name = "compression.type",
     .default_value = "none",
     .allowed = "one of none, gzip, snappy, lz4, zstd",
     .meaning = "Codec for every batch",
     .form = Form::kWord,
     .lookup = codec_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.compression = static_cast<Compression>(n);
     }},
    {.name = "compression.level",
     .default_value = "",
     .allowed = "a level of compression.type's codec (-1 or 0: its default)",
     .meaning = "librdkafka's level for whichever codec is chosen",
     .form = Form::kLevel,
     .store = [](Parsed& p, std::int64_t n, std::string_view) { p.level = static_cast<int>(n); }},
    {.name = "compression.gzip.level",
     .default_value = "-1",
     .allowed = "-1 or 1..9 (0: the default)",
     .meaning = "gzip's level when compression.type is gzip; -1 is zlib's default (6)",
     .form = Form::kLevel,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.codec_level[static_cast<std::size_t>(Compression::kGzip)] = static_cast<int>(n);
     }},
    {.name = "compression.lz4.level",
     .default_value = "9",
     .allowed = "1..17 (0: the default)",
     .meaning = "lz4's level when compression.type is lz4; 9 is LZ4's fast compressor, others HC",
     .form = Form::kLevel,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.codec_level[static_cast<std::size_t>(Compression::kLz4)] = static_cast<int>(n);
     }},
    {.name = "compression.zstd.level",
     .default_value = "3",
     .allowed = "libzstd's levels, -131072..22 (0: the default)",
     .meaning = "zstd's level when compression.type is zstd",
     .form = Form::kLevel,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.codec_level[static_cast<std::size_t>(Compression::kZstd)] = static_cast<int>(n);
     }},
    {.name = "enable.idempotence",
     .default_value = "true",
     .allowed = kBoolean,
     .meaning = "Producer id and sequence numbers, so that retries neither duplicate nor reorder",
     .form = Form::kWord,
     .lookup = bool_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.enable_idempotence = n != 0;
     }},
    {.name = "max.in.flight.requests.per.connection",
     .default_value = "5",
     .allowed = "an integer from 1 to 2147483647",
     .meaning = "Produce requests sent to one broker and not yet answered",
     .min = 1,
     .max = kInt32Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.max_in_flight = static_cast<std::int32_t>(n);
     }},
    {.name = "retries",
     .default_value = "2147483647",
     .allowed = kInt32AtLeast0,
     .meaning = "Times a batch is resent after a retriable error, within delivery.timeout.ms",
     .min = 0,
     .max = kInt32Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.retries = static_cast<std::int32_t>(n);
     }},
    {.name = "retry.backoff.ms",
     .default_value = "100",
     .allowed = kAtLeast0,
     .meaning = "First wait before a retry; doubles per attempt up to retry.backoff.max.ms",
     .min = 0,
     .max = kInt64Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.retry_backoff_ms = n;
     }},
    {.name = "retry.backoff.max.ms",
     .default_value = "1000",
     .allowed = kAtLeast0,
     .meaning = "Longest wait before a retry",
     .min = 0,
     .max = kInt64Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.retry_backoff_max_ms = n;
     }},
    {.name = "delivery.timeout.ms",
     .default_value = "120000",
     .allowed = kInt32AtLeast0,
     .meaning = "Time from produce() to a delivery report, retries included",
     .min = 0,
     .max = kInt32Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.delivery_timeout_ms = n;
     }},
    {.name = "request.timeout.ms",
     .default_value = "30000",
     .allowed = kInt32AtLeast0,
     .meaning = "How long to wait for a broker's response to one request",
     .min = 0,
     .max = kInt32Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.request_timeout_ms = n;
     }},
    {.name = "metadata.max.age.ms",
     .default_value = "300000",
     .allowed = kAtLeast0,
     .meaning = "Metadata is refreshed at least this often",
     .min = 0,
     .max = kInt64Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.metadata_max_age_ms = n;
     }},
    {.name = "reconnect.backoff.ms",
     .default_value = "50",
     .allowed = kAtLeast0,
     .meaning = "First wait before reconnecting to a broker; doubles up to "
                "reconnect.backoff.max.ms",
     .min = 0,
     .max = kInt64Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.reconnect_backoff_ms = n;
     }},
    {.name = "reconnect.backoff.max.ms",
     .default_value = "1000",
     .allowed = kAtLeast0,
     .meaning = "Longest wait before reconnecting to a broker",
     .min = 0,
     .max = kInt64Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.reconnect_backoff_max_ms = n;
     }},
    {.name = "socket.connection.setup.timeout.ms",
     .default_value = "10000",
     .allowed = kAtLeast0,
     .meaning = "How long a TCP connection may take to be established",
     .min = 0,
     .max = kInt64Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.socket_connection_setup_timeout_ms = n;
     }},
    {.name = "receive.message.max.bytes",
     .default_value = "100000000",
     .allowed = "an integer from 1000 to 2147483647",
     .meaning = "Largest response frame accepted from a broker; a larger size closes the connection "
                "before any buffer is sized (librdkafka's key)",
     .min = 1000,
     .max = 2147483647,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.receive_message_max_bytes = static_cast<std::int32_t>(n);
     }},
    {.name = "allow.auto.create.topics",
     .default_value = "true",
     .allowed = kBoolean,
     .meaning = "Metadata requests let a broker with auto.create.topics.enable create the topic",
     .form = Form::kWord,
     .lookup = bool_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.allow_auto_create_topics = n != 0;
     }},
    {.name = "topic.metadata.propagation.max.ms",
     .default_value = "30000",
     .allowed = kAtLeast0,
     .meaning = "How long a topic missing from metadata is waited for before kUnknownTopic",
     .min = 0,
     .max = kInt64Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.topic_metadata_propagation_max_ms = n;
     }},
    {.name = "partitioner",
     .default_value = "sticky",
     .allowed = "one of murmur2, murmur2_random, consistent, consistent_random, random, "
                "round_robin, sticky",
     .meaning = "Partition choice for records without one (sticky: Java's default placement)",
     .form = Form::kWord,
     .lookup = partitioner_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.partitioner = static_cast<partition::Kind>(n);
     }},
    {.name = "max.request.size",
     .default_value = "1048576",
     .allowed = "an integer from 1 to 2147483647",
     .meaning = "Largest produce request; a record larger than this is refused",
     .min = 1,
     .max = kInt32Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.max_request_size = static_cast<std::int32_t>(n);
     }},
    {.name = "transactional.id",
     .default_value = "",
     .allowed = "a string of 1 to 32767 bytes",
     .meaning = "Makes the producer transactional (init_transactions() and the calls after it); "
                "implies enable.idempotence=true",
     .form = Form::kText,
     .min = 1,
     .max = 32767,  // a protocol string
     .store = [](Parsed& p, std::int64_t, std::string_view v) { p.settings.transactional_id = v; }},
    {.name = "transaction.timeout.ms",
     .default_value = "60000",
     .allowed = "an integer from 1 to 2147483647",
     .meaning = "How long the coordinator lets a transaction stay open before it aborts it "
                "(at most the broker's transaction.max.timeout.ms)",
     .min = 1,
     .max = kInt32Max,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.transaction_timeout_ms = static_cast<std::int32_t>(n);
     }},
    // --- ringkafka's own ---------------------------------------------------------
    {.name = "ring.bytes",
     .default_value = "4194304",
     .allowed = "a power of two from 4096 to 1073741824",
     .meaning = "Size of each producing thread's ring of records on their way to the sender "
                "(262144 keeps it in L2); records above an eighth of it take a second ring that "
                "holds one of max.request.size",
     .min = 4096,
     .max = 1LL << 30,
     .power_of_two = true,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.ring_bytes = static_cast<std::size_t>(n);
     }},
    {.name = "report.queue.size",
     .default_value = "16384",
     .allowed = "a power of two from 64 to 1073741824",
     .meaning = "Delivery reports each producing thread's queue holds for poll()",
     .min = 64,
     .max = 1LL << 30,
     .power_of_two = true,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.report_queue_size = static_cast<std::uint32_t>(n);
     }},
    {.name = "producer.threads.max",
     .default_value = "64",
     .allowed = "an integer from 1 to 4096",
     .meaning = "Most application threads that may call produce(); each gets a ring",
     .min = 1,
     .max = 4096,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.max_producer_threads = static_cast<std::uint32_t>(n);
     }},
    {.name = "topics.max",
     .default_value = "1024",
     .allowed = "an integer from 1 to 65535",
     .meaning = "Most topics one producer resolves with topic()",
     .min = 1,
     .max = 65535,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.max_topics = static_cast<std::uint32_t>(n);
     }},
    {.name = "sender.cpu",
     .default_value = "-1",
     .allowed = "an integer from -1 to 1023",
     .meaning = "CPU the sender thread is pinned to; -1: not pinned",
     .min = -1,
     .max = 1023,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.sender_cpu = static_cast<int>(n);
     }},
    {.name = "sender.idle.strategy",
     .default_value = "backoff",
     .allowed = "one of spin, yield, backoff",
     .meaning = "What an idle sender does: spin on its core, yield it, or spin, yield, then park "
                "(low_latency: spin)",
     .form = Form::kWord,
     .lookup = idle_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.idle_strategy = static_cast<IdleStrategy>(n);
     }},
    {.name = "sender.idle.spin.us",
     .default_value = "50",
     .allowed = "an integer from 0 to 1000000",
     .meaning = "backoff: how long the sender spins after its last work before it yields",
     .min = 0,
     .max = 1000000,
     .store = [](Parsed& p, std::int64_t n, std::string_view) { p.settings.idle_spin_us = n; }},
    {.name = "sender.idle.yield.us",
     .default_value = "50",
     .allowed = "an integer from 0 to 1000000",
     .meaning = "backoff: how long the sender then yields its core before it parks",
     .min = 0,
     .max = 1000000,
     .store = [](Parsed& p, std::int64_t n, std::string_view) { p.settings.idle_yield_us = n; }},
    {.name = "sender.idle.park.min.us",
     .default_value = "10",
     .allowed = "an integer from 1 to 1000000",
     .meaning = "backoff: the first park; each idle park doubles, up to sender.idle.park.max.us",
     .min = 1,
     .max = 1000000,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.idle_park_min_us = n;
     }},
    {.name = "sender.idle.park.max.us",
     .default_value = "1000",
     .allowed = "an integer from 1 to 1000000",
     .meaning = "backoff: the longest park, the most a record waits for an idle sender to look",
     .min = 1,
     .max = 1000000,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.idle_park_max_us = n;
     }},
    {.name = "io_uring.sqpoll",
     .default_value = "false",
     .allowed = kBoolean,
     .meaning = "A kernel thread polls the submission queue (IORING_SETUP_SQPOLL)",
     .form = Form::kWord,
     .lookup = bool_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.uring_sqpoll = n != 0;
     }},
    {.name = "io_uring.entries",
     .default_value = "256",
     .allowed = "a power of two from 8 to 32768",
     .meaning = "Submission queue entries of the sender's io_uring",
     .min = 8,
     .max = 32768,
     .power_of_two = true,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.uring_entries = static_cast<std::uint32_t>(n);
     }},
    {.name = "memory.large.pages",
     .default_value = "false",
     .allowed = kBoolean,
     .meaning = "Back rings and batch arenas with 2 MiB pages where the system has them",
     .form = Form::kWord,
     .lookup = bool_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) { p.settings.large_pages = n != 0; }},
    // Like librdkafka's test.mock.* keys: for tests, not for production.  A
    // client cannot send 2^31 records in a test, so this starts it near the
    // wrap; a broker accepts any first sequence from a producer it does not
    // know, and one under a bumped epoch starts at 0 whatever this says.
    {.name = "test.first.sequence",
     .default_value = "0",
     .allowed = "an integer from 0 to 2147483647",
     .meaning = "Tests only: the sequence a partition's first batch takes (after an epoch bump "
                "they start at 0), to test the wrap from 2147483647 to 0",
     .min = 0,
     .max = 2147483647,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.test_first_sequence = static_cast<std::int32_t>(n);
     }},
};

// librdkafka's names for Java's keys.
constexpr Alias kAliases[] = {
    {"message.max.bytes", "max.request.size"},
    {"queue.buffering.max.ms", "linger.ms"},
    {"compression.codec", "compression.type"},
    {"request.required.acks", "acks"},
    {"message.timeout.ms", "delivery.timeout.ms"},
    {"sasl.mechanisms", "sasl.mechanism"},
};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0U : 1U)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::span<const KeyInfo> keys() noexcept {
  // Both tables, once: KeyInfo is plain data, and find_key() hands out
  // pointers into this copy.
  static const std::vector<KeyInfo> all = [] {
    std::vector<KeyInfo> v(std::begin(kKeys), std::end(kKeys));
    const auto more = security_keys();
    v.insert(v.end(), more.begin(), more.end());
    return v;
  }();
  return all;
}
std::span<const Alias> aliases() noexcept { return kAliases; }

const KeyInfo* find_key(std::string_view name) noexcept {
  for (const Alias& alias : kAliases) {
    if (alias.name == name) {
      name = alias.key;
      break;
    }
  }
  for (const KeyInfo& key : keys()) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

Error unknown_key(std::string_view name) {
  std::string message = "unknown key " + quoted(name);
  std::string_view nearest;
  std::size_t best = 3;  // suggest only within an edit distance of 2
  auto consider = [&](std::string_view candidate) {
    const std::size_t d = edit_distance(name, candidate);
    if (d < best) {
      best = d;
      nearest = candidate;
    }
  };
  for (const KeyInfo& key : keys()) consider(key.name);
  for (const Alias& alias : kAliases) consider(alias.name);
  if (!nearest.empty()) message += "; did you mean " + quoted(nearest) + "?";
  return {Errc::kInvalidConfig, std::move(message)};
}

}  // namespace ringkafka::config
