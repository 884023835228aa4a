// The producer against the real Kafka broker, judged by kcat (a consumer
// we did not write): every record arrives exactly once, on the partition
// murmur2 dictates for its key, in produce order per key (wherever order is
// promised: with idempotence, or while no batch was retried), with its key,
// value, headers and timestamp intact, and every delivery report names the
// partition and offset kcat found the record at.  For every preset and
// codec, every acks setting, the sticky partitioner, a thread that exits
// before its reports arrive, and producer.threads.max threads.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "broker.h"
#include "config/settings.h"
#include "kcat_reader.h"
#include "partition/murmur2.h"
#include "reports.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
namespace rt = ringkafka::testing;

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kPartitions = 6;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Concatenates text and integers.  (GCC 12's -Wrestrict misfires on
// `"x" + std::to_string(n)`.)
std::string piece(std::string_view text) { return std::string(text); }
template <std::integral Int>
std::string piece(Int n) {
  return std::to_string(n);
}
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(piece(parts)), ...);
  return out;
}

// --- The records ------------------------------------------------------------
//
// Thread t's i-th record is record id = t * per_thread + i; its key, value,
// headers and timestamp all derive from the id, so the check rebuilds what
// was sent from the id kcat reads back out of the value.
struct Workload {
  int threads = 4;
  int per_thread = 25'000;
  int keys_per_thread = 500;  // 0: null keys (the partitioner's choice)
  int value_size = 0;         // 0: 8 to 200 bytes, varying; else this many (>= 8)
  bool with_headers = true;
  std::int64_t timestamp_base = 0;  // record id's timestamp is base + id

  [[nodiscard]] int total() const { return threads * per_thread; }
  [[nodiscard]] int thread_of(int id) const { return id / per_thread; }
  [[nodiscard]] int seq_of(int id) const { return id % per_thread; }
  [[nodiscard]] std::int64_t timestamp(int id) const { return timestamp_base + id; }

  // 8 bytes with 0x00, 0x0a and 0xff in them, one key per (thread, i % keys).
  [[nodiscard]] std::optional<std::string> key(int id) const {
    if (keys_per_thread == 0) return std::nullopt;
    const int t = thread_of(id);
    const int k = seq_of(id) % keys_per_thread;
    return std::string{'\x00',
                       static_cast<char>(t),
                       static_cast<char>(k & 0xff),
                       static_cast<char>(k >> 8),
                       '\x0a',
                       '\xff',
                       static_cast<char>((k * 7 + t * 13) & 0xff),
                       '\x00'};
  }

  // thread (2 bytes LE), sequence (4 bytes LE), 0x00 0x0a, then filler that
  // starts with 0xff and runs through every byte value.
  [[nodiscard]] std::string value(int id) const {
    const auto t = static_cast<std::uint32_t>(thread_of(id));
    const auto seq = static_cast<std::uint32_t>(seq_of(id));
    const std::size_t size =
        value_size > 0 ? static_cast<std::size_t>(value_size)
                       : 8 + static_cast<std::size_t>((static_cast<unsigned>(id) * 37U) % 193U);
    std::string v(size, '\0');
    v[0] = static_cast<char>(t & 0xff);
    v[1] = static_cast<char>(t >> 8);
    for (std::size_t b = 0; b < 4; ++b) v[2 + b] = static_cast<char>((seq >> (8 * b)) & 0xff);
    v[6] = '\x00';
    v[7] = '\x0a';
    for (std::size_t j = 8; j < size; ++j) {
      v[j] = j == 8 ? '\xff'
                    : static_cast<char>((static_cast<std::size_t>(id) * 131 + j * 29) & 0xff);
    }
    return v;
  }

  // The id a value carries, or -1 if it is not one of ours.
  [[nodiscard]] int id_of(const std::optional<std::string>& v) const {
    if (!v || v->size() < 8) return -1;
    const auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(
                                               static_cast<unsigned char>((*v)[i])); };
    const std::uint32_t t = byte(0) | byte(1) << 8;
    std::uint32_t seq = 0;
    for (std::size_t b = 0; b < 4; ++b) seq |= byte(2 + b) << (8 * b);
    if (t >= static_cast<std::uint32_t>(threads) || seq >= static_cast<std::uint32_t>(per_thread)) {
      return -1;
    }
    return static_cast<int>(t) * per_thread + static_cast<int>(seq);
  }

  // 0 to 3 headers, printable, without ',', '=' or '\n' (kcat's %h).
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> headers(int id) const {
    std::vector<std::pair<std::string, std::string>> h;
    if (!with_headers) return h;
    for (int j = 0; j < id % 4; ++j) {
      h.emplace_back(cat("h", j), cat("t", thread_of(id), "/s", seq_of(id), "/", j));
    }
    return h;
  }
};

// A recent, fixed base: old enough never to be in the future, young enough
// that retention never deletes the records while the test reads them.
std::int64_t timestamp_base() {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return (now - 3'600'000) / 1000 * 1000;
}

// --- Producing --------------------------------------------------------------

struct ThreadResult {
  std::vector<rk::DeliveryReport> reports;  // what this thread's poll() returned
  int accepted = 0;
  int refused = 0;
  rk::Errc first_refusal = rk::Errc::kOk;
  Clock::time_point produced_at;  // when the last produce() returned
};

using rt::await_reports;
using rt::take_reports;

// Produces thread t's records of `w`; with `poll_reports`, polls as it goes
// and then until every accepted record has its report (or `deadline`).
ThreadResult produce_share(rk::Producer& producer, rk::Topic topic, const Workload& w, int t,
                           bool poll_reports, Clock::time_point deadline,
                           std::chrono::microseconds nap = 200us) {
  ThreadResult r;
  r.reports.reserve(static_cast<std::size_t>(w.per_thread));
  std::vector<rk::Header> headers;
  for (int i = 0; i < w.per_thread; ++i) {
    const int id = t * w.per_thread + i;
    const auto key = w.key(id);
    const std::string value = w.value(id);
    const auto header_text = w.headers(id);
    headers.clear();
    for (const auto& [name, text] : header_text) headers.push_back({name, rk::Bytes(text)});
    const rk::Bytes key_bytes = key ? rk::Bytes(*key) : rk::Bytes::null();
    void* const opaque = reinterpret_cast<void*>(static_cast<std::uintptr_t>(id));
    for (;;) {
      const rk::Errc e = producer.produce(
          topic, key_bytes, value,
          {.headers = headers, .timestamp_ms = w.timestamp(id), .opaque = opaque});
      if (e == rk::Errc::kOk) {
        ++r.accepted;
        break;
      }
      // A full ring or report queue: make room, unless out of time.
      if ((!rk::is_full(e) && e != rk::Errc::kTimedOut) ||
          Clock::now() >= deadline) {
        if (r.refused++ == 0) r.first_refusal = e;
        break;
      }
      if (!poll_reports || take_reports(producer, r.reports) == 0) std::this_thread::yield();
    }
    if (poll_reports && i % 64 == 63) take_reports(producer, r.reports);
  }
  r.produced_at = Clock::now();
  if (poll_reports) {
    await_reports(producer, r.reports, static_cast<std::size_t>(r.accepted), deadline, nap);
  }
  return r;
}

// --- Checking -----------------------------------------------------------------

// Counts failures by kind and shows the first few of each, so that a broken
// run says what broke without a hundred thousand lines.
class Tally {
 public:
  void add(const std::string& kind, const std::string& example) {
    Entry& e = entries_[kind];
    if (e.count++ < 5) e.examples += "\n    " + example;
  }
  void report(const std::string& context) const {
    for (const auto& [kind, e] : entries_) {
      ADD_FAILURE() << context << ": " << e.count << " x " << kind << e.examples;
    }
  }
  // The same, as information rather than failures.
  void print(const std::string& context) const {
    for (const auto& [kind, e] : entries_) {
      std::cout << "[ allowed  ] " << context << ": " << e.count << " x " << kind << e.examples
                << "\n";
    }
  }

 private:
  struct Entry {
    long count = 0;
    std::string examples;
  };
  std::map<std::string, Entry> entries_;
};

std::string printable(const std::optional<std::string>& bytes) {
  if (!bytes) return "null";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes->substr(0, 16)) {
    const auto u = static_cast<unsigned char>(c);
    out += kHex[u >> 4];
    out += kHex[u & 15];
  }
  if (bytes->size() > 16) out += "...";
  return out + " (" + std::to_string(bytes->size()) + " bytes)";
}

struct Expect {
  int partitions = kPartitions;
  bool offsets_reported = true;  // false with acks=0: reports carry offset -1
  bool keyed = true;             // partition must be murmur2's for the key
  std::uint32_t topic_index = 0;  // the handle the producer gave the topic
  // Produce order within a partition, and each record written once, are
  // promised (see order_promised()); without idempotence a retried batch
  // may land twice (at least once) and behind later ones.
  bool order_kept = true;
};

// Everything the file sets out to prove about one run: `reports` (every
// thread's poll() results together) against `consumed` (kcat's reading).
void check_delivery(const Workload& w, const std::vector<rk::DeliveryReport>& reports,
                    const std::vector<rt::KcatRecord>& consumed, const Expect& expect,
                    const std::string& context) {
  Tally tally;
  Tally reordered;  // failures only where order is promised
  Tally& order_tally = expect.order_kept ? tally : reordered;
  const auto n = static_cast<std::size_t>(w.total());

  // One report per record, each a success.
  std::vector<const rk::DeliveryReport*> report_of(n, nullptr);
  EXPECT_EQ(reports.size(), n) << context << ": delivery reports";
  for (const rk::DeliveryReport& r : reports) {
    const auto raw = reinterpret_cast<std::uintptr_t>(r.opaque);
    if (raw >= n) {
      tally.add("report with an unknown opaque", std::to_string(raw));
      continue;
    }
    const int id = static_cast<int>(raw);
    const std::string where = "record " + std::to_string(id);
    if (report_of[raw] != nullptr) {
      tally.add("second report for a record", where);
      continue;
    }
    report_of[raw] = &r;
    if (!r.ok()) {
      tally.add(std::string("error report: ") + rk::to_string(r.error) + " " + r.message,
                where + " kafka_error " + std::to_string(r.kafka_error));
      continue;
    }
    if (r.topic.index != expect.topic_index) {
      tally.add("report for another topic", cat(where, ": topic index ", r.topic.index));
    }
    if (r.partition < 0 || r.partition >= expect.partitions) {
      tally.add("report with a partition out of range", where + ": " + std::to_string(r.partition));
    }
    if (expect.offsets_reported ? r.offset < 0 : r.offset != -1) {
      tally.add(expect.offsets_reported ? "report without an offset"
                                        : "acks=0 report with an offset other than -1",
                where + ": " + std::to_string(r.offset));
    }
    if (r.timestamp_ms != w.timestamp(id)) {
      tally.add("report with another timestamp", where + ": " + std::to_string(r.timestamp_ms) +
                                                     ", produced " +
                                                     std::to_string(w.timestamp(id)));
    }
  }

  // Every record exactly once (at least once where that is all that is
  // promised), intact, where its report says it is.
  if (expect.order_kept) {
    EXPECT_EQ(consumed.size(), n) << context << ": records kcat read";
  } else {
    EXPECT_GE(consumed.size(), n) << context << ": records kcat read";
  }
  std::vector<int> seen(n, 0);
  // A record read twice has its report name one of the copies: a first
  // copy elsewhere waits for a later one to match.
  std::vector<std::int64_t> unmatched_offset(n, -1);
  for (const rt::KcatRecord& c : consumed) {
    const int id = w.id_of(c.value);
    const std::string where = cat("p", c.partition, "@", c.offset);
    if (id < 0) {
      tally.add("record kcat read that is not ours", where + ": value " + printable(c.value));
      continue;
    }
    const auto index = static_cast<std::size_t>(id);
    const std::string record = "record " + std::to_string(id) + " at " + where;
    if (seen[index]++ > 0) {
      order_tally.add("record read more than once", record);
      if (const rk::DeliveryReport* r = report_of[index];
          r != nullptr && r->ok() && r->offset == c.offset) {
        unmatched_offset[index] = -1;
      }
      continue;
    }
    if (c.key != w.key(id)) {
      tally.add("key changed", record + ": " + printable(c.key) + ", produced " +
                                   printable(w.key(id)));
    }
    if (const std::string sent = w.value(id); *c.value != sent) {
      const auto diff = std::mismatch(c.value->begin(), c.value->end(), sent.begin(), sent.end());
      tally.add("value changed", cat(record, ": ", c.value->size(), " bytes, produced ",
                                     sent.size(), "; first difference at byte ",
                                     diff.first - c.value->begin()));
    }
    if (c.headers != w.headers(id)) {
      tally.add("headers changed", record + ": " + std::to_string(c.headers.size()) +
                                       " headers, produced " +
                                       std::to_string(w.headers(id).size()));
    }
    if (c.timestamp_ms != w.timestamp(id)) {
      tally.add("timestamp changed", record + ": " + std::to_string(c.timestamp_ms) +
                                         ", produced " + std::to_string(w.timestamp(id)));
    }
    if (expect.keyed && c.key) {
      const auto* data = reinterpret_cast<const std::byte*>(c.key->data());
      const std::int32_t want = rk::partition::murmur2_partition(
          std::span<const std::byte>(data, c.key->size()), expect.partitions);
      if (c.partition != want) {
        tally.add("keyed record not on murmur2's partition",
                  record + ": murmur2 says " + std::to_string(want));
      }
    }
    if (const rk::DeliveryReport* r = report_of[index]; r != nullptr && r->ok()) {
      if (r->partition != c.partition) {
        tally.add("report names another partition",
                  record + ": report says " + std::to_string(r->partition));
      }
      if (expect.offsets_reported && r->offset != c.offset) {
        if (expect.order_kept) {
          tally.add("report names another offset",
                    record + ": report says " + std::to_string(r->offset));
        } else {
          unmatched_offset[index] = c.offset;
        }
      }
    }
  }
  for (std::size_t id = 0; id < n; ++id) {
    if (unmatched_offset[id] < 0) continue;
    tally.add("report names an offset none of its copies has",
              cat("record ", id, " at p", report_of[id]->partition, "@", unmatched_offset[id],
                  ": report says ", report_of[id]->offset));
  }
  for (std::size_t id = 0; id < n; ++id) {
    if (seen[id] == 0) tally.add("record never read", "record " + std::to_string(id));
  }

  // Order: offsets dense from 0 in each partition; per key (and per thread
  // within a partition) the sequence numbers only grow.
  std::vector<const rt::KcatRecord*> by_offset;
  by_offset.reserve(consumed.size());
  for (const auto& c : consumed) by_offset.push_back(&c);
  std::sort(by_offset.begin(), by_offset.end(), [](const auto* a, const auto* b) {
    return std::tie(a->partition, a->offset) < std::tie(b->partition, b->offset);
  });
  std::map<std::int32_t, std::int64_t> next_offset;
  std::map<std::string, int> last_seq_of_key;
  std::map<std::pair<std::int32_t, int>, int> last_seq_of_thread;
  for (const rt::KcatRecord* c : by_offset) {
    const std::string where = cat("p", c->partition, "@", c->offset);
    if (c->partition < 0 || c->partition >= expect.partitions) {
      tally.add("record on a partition the topic does not have", where);
    }
    std::int64_t& next = next_offset[c->partition];
    if (c->offset != next) {
      tally.add("gap in a partition's offsets", where + ": expected offset " + std::to_string(next));
    }
    next = c->offset + 1;
    const int id = w.id_of(c->value);
    if (id < 0) continue;
    const int seq = w.seq_of(id);
    if (c->key) {
      auto [it, first] = last_seq_of_key.emplace(*c->key, seq);
      if (!first && it->second >= seq) {
        order_tally.add("records of one key out of produce order",
                  where + ": sequence " + std::to_string(seq) + " after " +
                      std::to_string(it->second) + ", key " + printable(c->key));
      }
      it->second = seq;
    }
    auto [it, first] = last_seq_of_thread.emplace(std::pair{c->partition, w.thread_of(id)}, seq);
    if (!first && it->second >= seq) {
      order_tally.add("records of one thread out of produce order in a partition",
                where + ": thread " + std::to_string(w.thread_of(id)) + " sequence " +
                    std::to_string(seq) + " after " + std::to_string(it->second));
    }
    it->second = seq;
  }
  tally.report(context);
  reordered.print(context + " (batches were retried without idempotence: at least once, in any order)");
}

// --- Topics -------------------------------------------------------------------

// Topic creation runs Kafka's Java admin tool, about two seconds each; this
// creates the file's topics on two background threads while tests run.  A
// test that needs a topic not yet started creates it itself.
class TopicFactory {
 public:
  explicit TopicFactory(std::vector<std::string> prefixes) {
    for (auto& p : prefixes) {
      items_.push_back(Item{p, rt::unique_topic(p), State::kPending});
    }
    for (int i = 0; i < 2; ++i) workers_.emplace_back([this] { work(); });
  }
  ~TopicFactory() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    for (auto& t : workers_) t.join();
  }
  TopicFactory(const TopicFactory&) = delete;
  TopicFactory& operator=(const TopicFactory&) = delete;

  // The topic made for `prefix` (with kPartitions partitions), or empty if
  // it could not be created.
  std::string get(const std::string& prefix) {
    std::unique_lock lock(mu_);
    for (Item& item : items_) {
      if (item.prefix != prefix) continue;
      if (item.state == State::kPending) {
        item.state = State::kCreating;
        lock.unlock();
        const bool ok = rt::create_topic(item.name, kPartitions);
        lock.lock();
        item.state = ok ? State::kReady : State::kFailed;
        done_.notify_all();
      }
      done_.wait(lock, [&] { return item.state == State::kReady || item.state == State::kFailed; });
      return item.state == State::kReady ? item.name : std::string();
    }
    return {};
  }

 private:
  enum class State { kPending, kCreating, kReady, kFailed };
  struct Item {
    std::string prefix;
    std::string name;
    State state;
  };

  void work() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (stopping_) return;
      auto it = std::find_if(items_.begin(), items_.end(),
                             [](const Item& i) { return i.state == State::kPending; });
      if (it == items_.end()) return;
      it->state = State::kCreating;
      lock.unlock();
      const bool ok = rt::create_topic(it->name, kPartitions);
      lock.lock();
      it->state = ok ? State::kReady : State::kFailed;
      done_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable done_;
  std::vector<Item> items_;  // never resized after construction
  std::vector<std::thread> workers_;
  bool stopping_ = false;
};

constexpr std::array<const char*, 3> kPresets = {"low_latency", "durable", "throughput"};
constexpr std::array<const char*, 5> kCodecs = {"none", "gzip", "snappy", "lz4", "zstd"};
constexpr std::array<const char*, 3> kAcks = {"0", "1", "all"};

std::string matrix_prefix(const std::string& preset, const std::string& codec) {
  std::string p = "kcat-matrix-" + preset + "-" + codec;
  std::replace(p.begin(), p.end(), '_', '-');
  return p;
}
std::string acks_prefix(const std::string& acks) { return "kcat-acks-" + acks; }

std::unique_ptr<TopicFactory>& topic_factory() {
  static std::unique_ptr<TopicFactory> factory;
  return factory;
}

// Started by the first test that finds a broker; stopped (its threads
// joined) when the tests end.
TopicFactory& topics() {
  static std::once_flag once;
  std::call_once(once, [] {
    // In the order the tests run.
    std::vector<std::string> prefixes = {"kcat-sticky", "kcat-orphan", "kcat-threads"};
    for (const char* preset : kPresets) {
      for (const char* codec : kCodecs) prefixes.push_back(matrix_prefix(preset, codec));
    }
    for (const char* acks : kAcks) prefixes.push_back(acks_prefix(acks));

    topic_factory() = std::make_unique<TopicFactory>(std::move(prefixes));
  });
  return *topic_factory();
}

class StopTopicFactory : public ::testing::Environment {
 public:
  void TearDown() override { topic_factory().reset(); }
};
[[maybe_unused]] ::testing::Environment* const kStopTopicFactory =
    ::testing::AddGlobalTestEnvironment(new StopTopicFactory);

// --- Fixture ------------------------------------------------------------------

class ProducerKcatBase {
 protected:
  // Produce order within a partition is promised with idempotence, and
  // without it only while no batch was retried: a retried batch may land
  // behind requests sent after it, as with the Java client and librdkafka
  // at more than one request in flight (docs/reliability.md).
  static bool order_promised(const rk::Config& config, const rk::Producer& p) {
    auto settings = ringkafka::config::parse_settings(config);
    EXPECT_TRUE(settings.ok());
    const std::uint64_t retries = p.stats().batch_retries;
    std::cout << "[ retries  ] " << retries << "\n";
    return (settings.ok() && settings->enable_idempotence) || retries == 0;
  }

  // A preset's config for the broker under test, with `overrides` applied.
  rk::Config make_config(rk::Config config,
                         const std::vector<std::pair<std::string, std::string>>& overrides) {
    config.bootstrap_servers(bootstrap_);
    set(config, "sender.idle.strategy", "adaptive");
    for (const auto& [key, value] : overrides) set(config, key, value);
    return config;
  }

  static void set(rk::Config& config, const std::string& key, const std::string& value) {
    const auto r = config.set(key, value);
    ASSERT_TRUE(r.ok()) << key << "=" << value << ": " << r.error().message;
  }

  // kcat's reading of `topic`, expecting `expected` records.
  std::vector<rt::KcatRecord> read_back(const std::string& topic, std::size_t expected) {
    const auto start = Clock::now();
    std::vector<rt::KcatRecord> records;
    const std::string error = rt::kcat_read_topic(bootstrap_, topic, records, expected);
    EXPECT_TRUE(error.empty()) << error;
    std::cout << "[ timing   ] kcat read " << records.size() << " records in "
              << seconds_since(start) << " s\n";
    return records;
  }

  // A producer made from `config` and its handle for `topic`; `producer`
  // is null (and the test failed) if either could not be had.
  struct Opened {
    std::unique_ptr<rk::Producer> producer;
    rk::Topic topic;
  };
  static Opened open(const rk::Config& config, const std::string& topic) {
    Opened o;
    auto made = rk::Producer::create(config);
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().message);
    if (!made.ok()) return o;
    auto handle = made.value()->topic(topic);
    EXPECT_TRUE(handle.ok()) << (handle.ok() ? "" : handle.error().message);
    if (!handle.ok()) return o;
    o.producer = std::move(made.value());
    o.topic = handle.value();
    return o;
  }

  // Produces `w` from w.threads threads, each polling its own reports, then
  // closes the producer; returns every report.
  std::vector<rk::DeliveryReport> produce_all(const rk::Config& config, const std::string& topic,
                                              const Workload& w) {
    std::vector<rk::DeliveryReport> all;
    Opened opened = open(config, topic);
    if (!opened.producer) return all;
    rk::Producer& p = *opened.producer;
    const rk::Topic* handle = &opened.topic;

    const auto start = Clock::now();
    const auto deadline = start + 120s;
    std::vector<ThreadResult> results(static_cast<std::size_t>(w.threads));
    std::vector<std::thread> threads;
    for (int t = 0; t < w.threads; ++t) {
      threads.emplace_back([&, t] {
        results[static_cast<std::size_t>(t)] = produce_share(p, *handle, w, t, true, deadline);
      });
    }
    for (auto& t : threads) t.join();
    const double produce_s = seconds_since(start);
    for (std::size_t t = 0; t < results.size(); ++t) {
      EXPECT_EQ(results[t].refused, 0) << "thread " << t << ": produce() refused "
                                       << results[t].refused << " records, first with "
                                       << rk::to_string(results[t].first_refusal);
      all.insert(all.end(), results[t].reports.begin(), results[t].reports.end());
    }
    EXPECT_EQ(p.in_flight(), 0U);
    EXPECT_EQ(p.fatal_error(), "");
    order_kept_ = order_promised(config, p);
    EXPECT_EQ(p.close(10s), rk::Errc::kOk);
    std::cout << "[ timing   ] produced " << w.total() << " records from " << w.threads
              << " threads, all reports in, in " << produce_s << " s\n";
    return all;
  }

  std::string bootstrap_;
  bool order_kept_ = true;  // of produce_all()'s last run
};

class ProducerKcat : public ::testing::Test, public ProducerKcatBase {
 protected:
  void SetUp() override { RINGKAFKA_REQUIRE_BROKER(bootstrap_); }
};

// --- 1. Every preset with every codec ------------------------------------------

class ProducerKcatMatrix
    : public ::testing::TestWithParam<std::tuple<const char*, const char*>>,
      public ProducerKcatBase {
 protected:
  void SetUp() override { RINGKAFKA_REQUIRE_BROKER(bootstrap_); }
};

TEST_P(ProducerKcatMatrix, FourThreadsKeyedBinaryRecordsArriveOnceInOrderAsReported) {
  const std::string preset = std::get<0>(GetParam());
  const std::string codec = std::get<1>(GetParam());
  const std::string topic = topics().get(matrix_prefix(preset, codec));
  ASSERT_FALSE(topic.empty());
  auto base = rk::Config::preset(preset);
  ASSERT_TRUE(base.ok()) << base.error().message;
  const rk::Config config = make_config(*base, {{"compression.type", codec}});
  ASSERT_FALSE(HasFatalFailure());

  Workload w;  // 4 threads x 25,000 keyed records, 500 keys per thread
  w.timestamp_base = timestamp_base();
  const auto reports = produce_all(config, topic, w);
  const auto consumed = read_back(topic, static_cast<std::size_t>(w.total()));
  Expect expect;
  expect.order_kept = order_kept_;
  check_delivery(w, reports, consumed, expect, preset + "/" + codec);
}

INSTANTIATE_TEST_SUITE_P(
    AllPresetsAndCodecs, ProducerKcatMatrix,
    ::testing::Combine(::testing::ValuesIn(kPresets), ::testing::ValuesIn(kCodecs)),
    [](const ::testing::TestParamInfo<ProducerKcatMatrix::ParamType>& param_info) {
      return std::string(std::get<0>(param_info.param)) + "_" + std::get<1>(param_info.param);
    });

// --- 2. acks=0, 1, all ------------------------------------------------------------

class ProducerKcatAcks : public ::testing::TestWithParam<const char*>, public ProducerKcatBase {
 protected:
  void SetUp() override { RINGKAFKA_REQUIRE_BROKER(bootstrap_); }
};

TEST_P(ProducerKcatAcks, TwentyThousandRecordsArriveOnceWithOneReportEach) {
  const std::string acks = GetParam();
  const std::string topic = topics().get(acks_prefix(acks));
  ASSERT_FALSE(topic.empty());
  std::vector<std::pair<std::string, std::string>> overrides = {{"acks", acks}};
  if (acks == "all") overrides.emplace_back("enable.idempotence", "true");
  const rk::Config config = make_config(rk::Config::low_latency(), overrides);
  ASSERT_FALSE(HasFatalFailure());

  Workload w;
  w.threads = 2;
  w.per_thread = 10'000;
  w.keys_per_thread = 200;
  w.timestamp_base = timestamp_base();
  const auto reports = produce_all(config, topic, w);
  const auto consumed = read_back(topic, static_cast<std::size_t>(w.total()));
  Expect expect;
  expect.offsets_reported = acks != "0";
  expect.order_kept = order_kept_;
  check_delivery(w, reports, consumed, expect, "acks=" + acks);
}

INSTANTIATE_TEST_SUITE_P(Acks, ProducerKcatAcks, ::testing::ValuesIn(kAcks),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                           return std::string("acks_") + param_info.param;
                         });

// --- 3. The sticky partitioner ---------------------------------------------------

TEST_F(ProducerKcat, UnkeyedRecordsStickyPartitionerReachesEveryPartition) {
  const std::string topic = topics().get("kcat-sticky");
  ASSERT_FALSE(topic.empty());
  const rk::Config config = make_config(rk::Config::low_latency(), {{"batch.size", "16384"}});
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_EQ(config.get("partitioner").value_or("sticky"), "sticky");

  Workload w;
  w.threads = 1;
  w.per_thread = 60'000;
  w.keys_per_thread = 0;  // null keys
  w.value_size = 100;
  w.with_headers = false;
  w.timestamp_base = timestamp_base();
  const auto reports = produce_all(config, topic, w);
  const auto consumed = read_back(topic, static_cast<std::size_t>(w.total()));
  Expect expect;
  expect.keyed = false;
  expect.order_kept = order_kept_;
  check_delivery(w, reports, consumed, expect, "sticky");

  std::map<std::int32_t, int> per_partition;
  for (const auto& c : consumed) ++per_partition[c.partition];
  std::string spread;
  for (const auto& [p, n] : per_partition) spread += cat(" p", p, "=", n);
  std::cout << "[ spread   ]" << spread << "\n";
  EXPECT_EQ(per_partition.size(), static_cast<std::size_t>(kPartitions)) << spread;
  for (const auto& c : consumed) EXPECT_FALSE(c.key.has_value()) << "a null key came back non-null";
}

// --- 4. A thread that exits before its reports arrive -----------------------------

TEST_F(ProducerKcat, ReportsOfAnExitedThreadGoToAnotherThreadsPoll) {
  const std::string topic = topics().get("kcat-orphan");
  ASSERT_FALSE(topic.empty());
  const rk::Config config = make_config(rk::Config::low_latency(), {});
  ASSERT_FALSE(HasFatalFailure());
  Opened opened = open(config, topic);
  ASSERT_TRUE(opened.producer);
  rk::Producer& p = *opened.producer;
  const rk::Topic* handle = &opened.topic;

  Workload w;
  w.threads = 1;
  w.per_thread = 5'000;
  w.keys_per_thread = 100;
  w.timestamp_base = timestamp_base();
  const auto deadline = Clock::now() + 60s;
  ThreadResult exited;
  std::thread([&] { exited = produce_share(p, *handle, w, 0, false, deadline); }).join();
  const std::uint64_t in_flight_at_exit = p.in_flight();
  std::cout << "[ orphan   ] " << in_flight_at_exit << " of " << w.total()
            << " records still without a report when the thread exited\n";
  EXPECT_EQ(exited.refused, 0) << rk::to_string(exited.first_refusal);
  EXPECT_TRUE(exited.reports.empty());

  // This thread produced nothing: everything poll() gives it is the exited
  // thread's.
  std::vector<rk::DeliveryReport> reports;
  await_reports(p, reports, static_cast<std::size_t>(exited.accepted), deadline);
  EXPECT_EQ(reports.size(), static_cast<std::size_t>(w.total()));
  EXPECT_EQ(p.in_flight(), 0U);
  Expect expect;
  expect.order_kept = order_promised(config, p);
  EXPECT_EQ(p.close(10s), rk::Errc::kOk);

  const auto consumed = read_back(topic, static_cast<std::size_t>(w.total()));
  check_delivery(w, reports, consumed, expect, "orphan");
}

// --- 5. producer.threads.max threads, and one more -------------------------------

TEST_F(ProducerKcat, SixtyFourThreadsDeliverAndASixtyFifthIsRefused) {
  const std::string topic = topics().get("kcat-threads");
  ASSERT_FALSE(topic.empty());
  const rk::Config config = make_config(rk::Config::low_latency(), {});
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_EQ(config.get("producer.threads.max").value_or("64"), "64");
  Opened opened = open(config, topic);
  ASSERT_TRUE(opened.producer);
  rk::Producer& p = *opened.producer;
  const rk::Topic* handle = &opened.topic;

  Workload w;
  w.threads = 64;
  w.per_thread = 1'000;
  w.keys_per_thread = 50;
  w.timestamp_base = timestamp_base();
  const auto start = Clock::now();
  const auto deadline = start + 120s;

  // 64 threads polling every millisecond or faster starve the sender on a
  // 2-core machine (all 64,000 reports took 21 s with 0.2 ms naps, 5 s with
  // 1 ms, 0.4 s with 5 ms), so they nap 5 ms between empty polls.
  // The 64 hold their slots (stay alive) until the 65th has tried.
  std::mutex mu;
  std::condition_variable cv;
  int finished = 0;
  bool release = false;
  std::vector<ThreadResult> results(static_cast<std::size_t>(w.threads));
  std::vector<std::thread> threads;
  for (int t = 0; t < w.threads; ++t) {
    threads.emplace_back([&, t] {
      results[static_cast<std::size_t>(t)] = produce_share(p, *handle, w, t, true, deadline, 5ms);
      std::unique_lock lock(mu);
      ++finished;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait_until(lock, deadline, [&] { return finished == w.threads; });
    EXPECT_EQ(finished, w.threads);
  }
  const double produce_s = seconds_since(start);
  Clock::time_point last_produce = start;
  for (const auto& r : results) last_produce = std::max(last_produce, r.produced_at);
  std::cout << "[ timing   ] last produce() returned after "
            << std::chrono::duration<double>(last_produce - start).count() << " s\n";

  rk::Errc registered = rk::Errc::kOk;
  rk::Errc produced = rk::Errc::kOk;
  std::thread([&] {
    registered = p.register_thread();
    produced = p.produce(*handle, "one too many", "value");
  }).join();
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  for (auto& t : threads) t.join();
  EXPECT_EQ(registered, rk::Errc::kTooManyThreads) << rk::to_string(registered);
  EXPECT_EQ(produced, rk::Errc::kTooManyThreads) << rk::to_string(produced);

  std::vector<rk::DeliveryReport> reports;
  for (std::size_t t = 0; t < results.size(); ++t) {
    EXPECT_EQ(results[t].refused, 0) << "thread " << t << ": "
                                     << rk::to_string(results[t].first_refusal);
    reports.insert(reports.end(), results[t].reports.begin(), results[t].reports.end());
  }
  EXPECT_EQ(p.in_flight(), 0U);
  Expect expect;
  expect.order_kept = order_promised(config, p);
  EXPECT_EQ(p.close(10s), rk::Errc::kOk);
  std::cout << "[ timing   ] 64 threads produced " << w.total() << " records, all reports in, in "
            << produce_s << " s\n";

  const auto consumed = read_back(topic, static_cast<std::size_t>(w.total()));
  check_delivery(w, reports, consumed, expect, "64 threads");
}

}  // namespace
