#include "sender/sender.h"

#include <liburing.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <thread>

#include "compress/codec.h"
#include "core/clock.h"
#include "handoff/record_format.h"
#include "broker/brokers.h"
#include "core/jitter.h"
#include "io/idle.h"
#include "sender/cluster.h"
#include "sender/producer_state.h"
#include "io/reactor.h"
#include "sender/reporter.h"
#include "wire/byte_order.h"
#include "wire/error_code.h"
#include "wire/init_producer_id.h"
#include "wire/metadata.h"
#include "wire/produce.h"

namespace ringkafka::sender {
namespace {

// Counters have one writer, the sender: a load and a store, no RMW.
void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

using handoff::RecordView;
using io::IdlePolicy;
using io::Reactor;
using broker::Connection;
using handoff::Slot;
using wire::ErrorCode;

constexpr std::int64_t kMs = 1'000'000;
// Records taken from one ring per pass, so one busy thread cannot starve
// the others or the network.
constexpr int kDrainBudget = 512;
// Batches in one Produce request at most; the rest go in the next one.
constexpr std::size_t kMaxBatchesPerRequest = 256;

using core::mono_ns;
using core::wall_ms;

bool debug_enabled() noexcept {
  static const bool on = std::getenv("RINGKAFKA_DEBUG") != nullptr;
  return on;
}
#define RK_DEBUG(...)                                \
  do {                                               \
    if (debug_enabled()) {                           \
      std::fprintf(stderr, "ringkafka: " __VA_ARGS__); \
      std::fputc('\n', stderr);                      \
    }                                                \
  } while (0)

std::uint64_t batch_order(const Batch* b) noexcept { return b->order; }

}  // namespace

struct Sender::Loop final : broker::ConnectionEvents {
  explicit Loop(handoff::Shared& sh)
      : shared(sh),
        s(sh.settings),
        pool(static_cast<std::size_t>(sh.settings.batch_size),
             static_cast<std::size_t>(sh.settings.buffer_memory)),
        idle_policy(IdlePolicy::from(sh.settings)) {}

  handoff::Shared& shared;
  const config::Settings& s;
  std::thread thread;
  Reactor reactor;
  Reporter reporter{shared};
  char start_error[256] = {};  // why setup failed (fixed: written in noexcept code)

  broker::Brokers brokers{reactor, s};
  std::vector<TopicInfo> topics;
  std::vector<std::pair<std::uint32_t, std::int32_t>> active;
  BatchPool pool;
  std::optional<partition::Partitioner> partitioner;
  std::unique_ptr<compress::Compressor> compressor;
  std::vector<std::byte> scratch;
  std::vector<wire::RecordHeader> header_scratch;
  std::vector<wire::ProducePartitionData> part_scratch;
  std::vector<wire::ProduceTopicData> topic_scratch;
  std::vector<Batch*> batch_scratch;
  std::vector<std::string_view> name_scratch;

  std::int64_t now_ns = 0;
  std::int64_t now_ms = 0;
  IdlePolicy idle_policy;
  std::int64_t next_housekeeping_ns = 0;

  // Idempotence: the state machine (producer_state.h), and the one
  // InitProducerId request it may have out.
  ProducerState pstate{s.enable_idempotence};
  bool pid_in_flight = false;
  std::int64_t pid_next_attempt_ns = 0;
  core::Jitter jittered{partition::random_seed()};

  // Metadata.
  bool metadata_in_flight = false;
  bool metadata_wanted = true;
  std::int64_t metadata_next_ns = 0;  // not before (backoff)
  std::int64_t metadata_refresh_ns = 0;

  // --- setup ---------------------------------------------------------------

  bool setup() noexcept {
    try {
      topics.reserve(s.max_topics);
      header_scratch.reserve(64);
      // A Produce request carries at most kMaxBatchesPerRequest batches, so
      // these never grow while records flow (no allocation, no throw).
      part_scratch.reserve(kMaxBatchesPerRequest);
      topic_scratch.reserve(kMaxBatchesPerRequest);
      batch_scratch.reserve(kMaxBatchesPerRequest);
      name_scratch.reserve(64);
      active.reserve(1024);
      if (s.compression != wire::Compression::kNone) {
        compressor = s.compression_level == 0
                         ? compress::Compressor::create(s.compression)
                         : compress::Compressor::create(s.compression, s.compression_level);
        if (!compressor) {
          set_start_error("compression.type: cannot create the compressor");
          return false;
        }
        scratch.resize(2 * static_cast<std::size_t>(s.batch_size) + 4096 +
                       compressor->bound(2 * static_cast<std::size_t>(s.batch_size)));
      }
      for (std::size_t i = 0; i < s.bootstrap_servers.size(); ++i) {
        brokers.add(-1 - static_cast<std::int32_t>(i), s.bootstrap_servers[i].host,
                    s.bootstrap_servers[i].port);
      }
    } catch (...) {
      set_start_error("out of memory");
      return false;
    }
    partitioner = partition::Partitioner::create(s.partitioner, partition::random_seed(),
                                                 s.batch_size);
    if (!partitioner) partitioner = partition::Partitioner::create(partition::Kind::kSticky, 1);
    if (!pool.preallocate(s.large_pages)) {
      set_start_error("cannot allocate buffer.memory (%lld bytes)", static_cast<long long>(s.buffer_memory));
      return false;
    }
    shared.counters.batch_buffers.store(pool.buffers_allocated(), std::memory_order_relaxed);
    shared.counters.batch_buffer_bytes.store(pool.bytes_allocated(), std::memory_order_relaxed);
    return true;
  }

  // The ring must be made by the thread that submits (SINGLE_ISSUER).
  bool setup_ring() noexcept {
    const int rc = reactor.open({s.uring_entries, s.uring_sqpoll, s.sender_cpu});
    if (rc < 0) {
      set_start_error("io_uring setup failed: %s", std::strerror(-rc));
      return false;
    }
    return true;
  }

  // --- the loop ------------------------------------------------------------

  // 0 while starting, 1 running, 2 failed: Sender::start waits for it.
  std::atomic<int> started{0};

  void run() noexcept {
    const bool ok = setup_ring();
    started.store(ok ? 1 : 2, std::memory_order_release);
    started.notify_all();
    if (!ok) {
      shared.sender_exited.store(true, std::memory_order_release);
      return;
    }
    idle_policy.on_work(mono_ns());
    while (true) {
      now_ns = mono_ns();
      now_ms = wall_ms();
      if (shared.stopping.load(std::memory_order_acquire)) break;
      bool work = sync_topics();
      work |= drain_rings();
      if (now_ns >= next_housekeeping_ns) {
        housekeeping();
        next_housekeeping_ns = now_ns + kMs;
      }
      work |= service_connections();
      work |= reap();
      // Unrecoverable: nothing more can be delivered, so nothing waits.
      if (shared.fatal.load(std::memory_order_acquire)) {
        purge_everything(Errc::kFatal, "the producer hit a fatal error (see Producer::fatal_error())");
      }
      if (work) {
        idle_policy.on_work(now_ns);
        shared.wake_waiters();
      } else {
        idle();
      }
    }
    purge_everything(Errc::kPurged, "purged: the producer closed before the record was sent");
    shared.sender_exited.store(true, std::memory_order_release);
    shared.wake_waiters();
    brokers.quiesce();
    reactor.close();
  }

  // The first fatal error's text stays; the producer stops taking records.
  __attribute__((format(printf, 2, 3))) void fatal(const char* fmt, ...) noexcept {
    char why[sizeof shared.fatal_message];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(why, sizeof why, fmt, args);
    va_end(args);
    std::lock_guard lock(shared.fatal_mu);
    if (shared.fatal_message[0] == '\0') std::memcpy(shared.fatal_message, why, sizeof why);
    shared.fatal.store(true, std::memory_order_release);
  }

  __attribute__((format(printf, 2, 3))) void set_start_error(const char* fmt, ...) noexcept {
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(start_error, sizeof start_error, fmt, args);
    va_end(args);
  }

  // New topic handles from Producer::topic().
  bool sync_topics() noexcept {
    const std::uint32_t n = shared.topics.count.load(std::memory_order_acquire);
    if (n == topics.size()) return false;
    while (topics.size() < n) {
      TopicInfo& t = topics.emplace_back();  // reserved: no reallocation
      t.name = shared.topics.names[topics.size() - 1];
      t.first_needed_ns = now_ns;
    }
    metadata_wanted = true;
    return true;
  }

  // --- records in ----------------------------------------------------------

  enum class Routed : std::uint8_t { kDone, kBlocked };

  bool drain_rings() noexcept {
    const std::uint32_t n = shared.slots_in_use.load(std::memory_order_acquire);
    bool any = false;
    for (std::uint32_t i = 0; i < n; ++i) {
      Slot& slot = *shared.slots[i];
      for (int budget = kDrainBudget; budget > 0; --budget) {
        bool available = false;
        bool large = false;
        const auto msg = slot.peek_record(&available, &large);
        if (!available) break;
        if (route(slot.index, handoff::decode(msg)) == Routed::kBlocked) {
          // Waits for metadata or a free batch buffer, which a completion
          // or a timer brings: not work, so the sender may idle meanwhile.
          break;
        }
        slot.pop_record(large);
        any = true;
      }
    }
    return any;
  }

  Routed route(std::uint32_t slot, const RecordView& rec) noexcept {
    // A handle made after this pass's sync_topics() and used at once.
    if (rec.head.topic >= topics.size()) sync_topics();
    TopicInfo& t = topics[rec.head.topic];
    const std::int64_t ts = rec.head.timestamp_ms < 0 ? now_ms : rec.head.timestamp_ms;
    if (t.status != TopicStatus::kOk) {
      if (t.status == TopicStatus::kMissing &&
          now_ns - t.missing_since_ns > core::ms_to_ns(s.topic_metadata_propagation_max_ms)) {
        report_one(slot, rec.head.opaque, rec.head.topic, -1, ts, Errc::kUnknownTopic, 3,
                   "unknown topic: the cluster does not have it");
        return Routed::kDone;
      }
      if (now_ns - t.first_needed_ns > core::ms_to_ns(s.delivery_timeout_ms)) {
        report_one(slot, rec.head.opaque, rec.head.topic, -1, ts, Errc::kMessageTimedOut, 0,
                   "no metadata for the topic within delivery.timeout.ms");
        return Routed::kDone;
      }
      metadata_wanted = true;
      return Routed::kBlocked;
    }
    const wire::NullableBytes key{rec.key, rec.key_is_null()};
    const wire::NullableBytes value{rec.value, rec.value_is_null()};
    std::int32_t p = rec.head.partition;
    if (p >= t.partition_count) {
      report_one(slot, rec.head.opaque, rec.head.topic, p, ts, Errc::kPartitionOutOfRange, 3,
                 "partition out of range for the topic");
      return Routed::kDone;
    }
    if (p < 0) {
      const auto choice = partitioner->choose(t.partitioner, rec.key, rec.key_is_null(),
                                              rec.key.size() + rec.value.size(),
                                              t.partition_count);
      if (!choice.ok()) {
        report_one(slot, rec.head.opaque, rec.head.topic, -1, ts, Errc::kPartitionOutOfRange, 0,
                   "the partitioner returned no partition");
        return Routed::kDone;
      }
      p = choice.partition;
    }
    header_scratch.clear();
    handoff::for_each_header(rec, [&](std::string_view name, std::span<const std::byte> v,
                                       bool is_null) {
      header_scratch.push_back({name, wire::NullableBytes{v, is_null}});
    });
    PartitionState& ps = t.partitions[static_cast<std::size_t>(p)];
    const RecordMeta meta{rec.head.opaque, ts, slot, 0};
    const auto limit = static_cast<std::size_t>(s.batch_size);
    if (ps.open != nullptr &&
        ps.open->append(ts, key, value, header_scratch, meta, limit)) {
      return Routed::kDone;
    }
    const std::size_t bytes = wire::record_size(0, 0, key, value, header_scratch);
    if (bytes + wire::kRecordBatchHeaderSize > static_cast<std::size_t>(s.max_request_size)) {
      report_one(slot, rec.head.opaque, rec.head.topic, p, ts, Errc::kRecordTooLarge, 10,
                 "record larger than max.request.size");
      return Routed::kDone;
    }
    Batch* b = acquire(size_class_for(bytes, limit));
    if (b == nullptr) return Routed::kBlocked;  // buffer.memory in use: backpressure
    close_open(ps);
    b->reset(rec.head.topic, p, now_ns);
    if (!b->append(ts, key, value, header_scratch, meta, limit)) {
      pool.release(b);
      report_one(slot, rec.head.opaque, rec.head.topic, p, ts, Errc::kRecordTooLarge, 10,
                 "record does not fit a batch");
      return Routed::kDone;
    }
    ps.open = b;
    if (!ps.active) {
      ps.active = true;
      try {
        active.emplace_back(rec.head.topic, p);
      } catch (...) {
        ps.active = false;  // found again by housekeeping's full scan
      }
    }
    return Routed::kDone;
  }

  Batch* acquire(std::uint8_t size_class) noexcept {
    Batch* b = pool.acquire(size_class);
    shared.counters.batch_buffers.store(pool.buffers_allocated(), std::memory_order_relaxed);
    shared.counters.batch_buffer_bytes.store(pool.bytes_allocated(), std::memory_order_relaxed);
    return b;
  }

  void close_open(PartitionState& ps) noexcept {
    if (ps.open == nullptr) return;
    ps.ready.push_back(ps.open);
    ps.open = nullptr;
  }

  // --- delivery reports ----------------------------------------------------

  void report_one(std::uint32_t slot, void* opaque, std::uint32_t topic, std::int32_t partition,
                  std::int64_t ts, Errc error, std::int16_t kafka, const char* message) noexcept {
    reporter.one(slot, opaque, topic, partition, ts, error, kafka, message);
  }

  // The batch's records are reported and its buffer goes back to the pool.
  // A sealed batch that failed (not purged) leaves its sequence numbers
  // unused: the partition's next batch would be out of sequence, so the
  // epoch is bumped first (KIP-360).
  void report_batch(Batch* b, Errc error, std::int16_t kafka, const char* message,
                    std::int64_t base_offset, std::int64_t log_append_ms) noexcept {
    if (error != Errc::kOk && error != Errc::kPurged && b->is_sealed()) pstate.on_sealed_batch_failed();
    reporter.batch(*b, error, kafka, message, base_offset, log_append_ms);
    pool.release(b);
  }

  // --- connections ---------------------------------------------------------

  bool service_connections() noexcept {
    bool work = brokers.service(now_ns, *this);
    for (Connection& c : brokers) {
      if (!c.ready() || now_ns < c.throttled_until_ns) continue;  // KIP-219: nothing until then
      work |= send_control(c);
      work |= send_produce(c);
    }
    return work;
  }

  // --- what connections tell (broker::ConnectionEvents) ---------------------

  void on_ready(Connection&) noexcept override { bump(shared.counters.connections); }

  void on_response(Connection& c, const broker::InFlight& f,
                   std::span<const std::byte> body) noexcept override {
    switch (f.key) {
      case wire::ApiKey::kMetadata:
        metadata_in_flight = false;
        on_metadata(body, f.version);
        return;
      case wire::ApiKey::kInitProducerId:
        on_init_producer_id(body, f.version);
        return;
      case wire::ApiKey::kProduce:
        --c.produce_in_flight;
        on_produce(c, f, body);
        return;
      default:
        return;
    }
  }

  void on_dropped(Connection&, const broker::InFlight& f) noexcept override {
    forget_control(f);
    requeue_request(static_cast<Batch*>(f.context));
  }

  void on_sent(Connection& c) noexcept override {
    if (c.unanswered != nullptr) complete_unanswered(c);
  }

  void on_failed(Connection& c, const char*) noexcept override {
    // acks=0: a request the kernel had not fully taken goes again.
    requeue_request(static_cast<Batch*>(c.unanswered));
    c.unanswered = nullptr;
    metadata_wanted = true;
  }

  void on_unusable(Connection& c, const char* why) noexcept override {
    fatal("the broker at %s %s", c.host().c_str(), why);
  }

  // A Metadata or InitProducerId request that will get no answer: it may be
  // sent again.  Every path that drops a request calls this, whether the
  // request was still queued on its connection or already taken off it.
  void forget_control(const broker::InFlight& f) noexcept {
    if (f.key == wire::ApiKey::kMetadata) metadata_in_flight = false;
    if (f.key == wire::ApiKey::kInitProducerId) pid_in_flight = false;
  }

  // The batches of a request that got no answer go out again.
  void requeue_request(Batch* b) noexcept {
    while (b != nullptr) {
      Batch* next = b->next;
      b->maybe_written = true;
      retry_batch(b, s.retry_backoff_ms);
      b = next;
    }
  }

  // A batch that must go out again, in its place in the partition's order.
  void retry_batch(Batch* b, std::int64_t backoff_ms) noexcept {
    TopicInfo& t = topics[b->topic];
    PartitionState& ps = t.partitions[static_cast<std::size_t>(b->partition)];
    if (ps.in_flight > 0) --ps.in_flight;
    if (now_ns - b->created_ns > core::ms_to_ns(s.delivery_timeout_ms) ||
        b->attempts > static_cast<std::uint32_t>(s.retries)) {
      report_batch(b, Errc::kMessageTimedOut, 0,
                   "not acknowledged within delivery.timeout.ms (or retries exhausted)", -1, -1);
      return;
    }
    b->retry_at_ns = core::deadline_after_ms(now_ns, backoff_ms);
    bump(shared.counters.batch_retries);
    ps.ready.insert_by_order(b, batch_order);
    activate(b->topic, b->partition);
  }

  void activate(std::uint32_t topic, std::int32_t partition) noexcept {
    PartitionState& ps = topics[topic].partitions[static_cast<std::size_t>(partition)];
    if (ps.active) return;
    ps.active = true;
    try {
      active.emplace_back(topic, partition);
    } catch (...) {
      ps.active = false;
    }
  }

  // Metadata and InitProducerId go out on any ready connection.
  bool send_control(Connection& c) noexcept {
    if (!c.can_send()) return false;
    if (metadata_wanted && !metadata_in_flight && now_ns >= metadata_next_ns) {
      name_scratch.clear();
      for (const TopicInfo& t : topics) name_scratch.push_back(t.name);
      wire::Writer w(c.send_buffer());
      const auto h = c.header(wire::ApiKey::kMetadata, c.version(wire::ApiKey::kMetadata));
      wire::MetadataRequest req;
      req.topics = name_scratch;
      req.allow_auto_topic_creation = s.allow_auto_create_topics;
      if (!wire::encode_metadata_request(w, h, req)) {
        fatal("cannot encode a Metadata request (too many topics?)");
        return false;
      }
      // Before the send: if it fails the connection, on_dropped() clears
      // them again (forget_control).
      metadata_in_flight = true;
      metadata_wanted = false;
      c.send(w.position(), h, true, nullptr, now_ns, *this);
      return true;
    }
    // The scans only while a bump waits.
    const bool quiet = pstate.bump_wanted() && nothing_in_flight() && !maybe_written_queued();
    const ProducerState::IdRequest id_request =
        pid_in_flight ? ProducerState::IdRequest::kNone : pstate.id_request(quiet);
    const std::int16_t id_version = c.version(wire::ApiKey::kInitProducerId);
    if (id_request != ProducerState::IdRequest::kNone && c.node_id() >= 0 &&
        now_ns >= pid_next_attempt_ns && id_version >= 0) {
      wire::Writer w(c.send_buffer());
      const auto h = c.header(wire::ApiKey::kInitProducerId, id_version);
      wire::InitProducerIdRequest req;
      if (id_request == ProducerState::IdRequest::kBump && id_version >= 3) {
        // KIP-360: the same id, the next epoch.  Older brokers give a new id.
        req.producer_id = pstate.producer_id();
        req.producer_epoch = pstate.producer_epoch();
      }
      if (!wire::encode_init_producer_id_request(w, h, req)) return false;
      pid_in_flight = true;  // before the send, as above
      c.send(w.position(), h, true, nullptr, now_ns, *this);
      return true;
    }
    return false;
  }

  // The first sealed batch behind the head of the partition's queue whose
  // answer was lost, if it may go now (see send_produce).
  Batch* possibly_written_behind_head(PartitionState& ps, std::int32_t node) noexcept {
    if (ps.ready.head == nullptr) return nullptr;
    for (Batch* b = ps.ready.head->next; b != nullptr && b->is_sealed(); b = b->next) {
      if (b->maybe_written && b->retry_at_ns <= now_ns && pstate.may_send(facts(*b), facts(ps), node)) {
        return b;
      }
    }
    return nullptr;
  }

  // Can the partition's next batch go out now?  Fills *out with it.
  Batch* sendable(PartitionState& ps, bool flushing) noexcept {
    if (Batch* b = ps.ready.head; b != nullptr) return b->retry_at_ns <= now_ns ? b : nullptr;
    Batch* b = ps.open;
    if (b == nullptr) return nullptr;
    if (flushing || s.linger_ms == 0 || now_ns - b->created_ns >= core::ms_to_ns(s.linger_ms)) return b;
    return nullptr;
  }

  bool send_produce(Connection& c) noexcept {
    const std::int16_t produce_version = c.version(wire::ApiKey::kProduce);
    if (!c.can_send() || c.node_id() < 0 || produce_version < 0) return false;
    if (c.produce_in_flight >= static_cast<std::uint32_t>(s.max_in_flight)) return false;
    if (!pstate.may_produce()) return false;
    const bool flushing = shared.flush_waiters.load(std::memory_order_acquire) != 0;
    batch_scratch.clear();
    std::size_t bytes = 256;
    // Grouped by topic as the request nests them: scan the active list in
    // topic order of first appearance.
    for (auto& [ti, pi] : active) {
      if (batch_scratch.size() == kMaxBatchesPerRequest) break;
      TopicInfo& t = topics[ti];
      PartitionState& ps = t.partitions[static_cast<std::size_t>(pi)];
      if (ps.leader != c.node_id()) continue;
      Batch* b = sendable(ps, flushing);
      // Idempotence's gates (retries one at a time, bumps, leader moves,
      // the first batch of an epoch): producer_state.h.
      if (b != nullptr && !pstate.may_send(facts(*b), facts(ps), c.node_id())) b = nullptr;
      // While a bump waits, a batch the broker may have can stand behind a
      // head that may not go (answered, to be restamped): it goes ahead, so
      // that its fate is learnt and the bump is not held up until
      // delivery.timeout.ms (issue 13, defect 2).
      if (b == nullptr && pstate.bump_wanted()) b = possibly_written_behind_head(ps, c.node_id());
      if (b == nullptr) continue;
      const std::size_t size = b->is_sealed() ? b->sealed.size() : b->writer->size() + 512;
      if (!batch_scratch.empty() && bytes + size + t.name.size() + 64 >
                                        static_cast<std::size_t>(s.max_request_size)) {
        continue;
      }
      if (b == ps.open) {
        ps.open = nullptr;
      } else {
        (void)ps.ready.remove(b);  // the head, or a batch behind it (above)
      }
      if (!b->is_sealed()) seal(ps, b);
      bytes += b->sealed.size() + t.name.size() + 64;
      batch_scratch.push_back(b);  // within the reserved capacity (checked above)
    }
    if (batch_scratch.empty()) return false;
    // By topic, keeping each topic's batches in the order taken: an
    // insertion sort, because std::stable_sort allocates a buffer per call,
    // and the list is short and mostly in order already.
    for (std::size_t i = 1; i < batch_scratch.size(); ++i) {
      Batch* b = batch_scratch[i];
      std::size_t j = i;
      for (; j > 0 && batch_scratch[j - 1]->topic > b->topic; --j) batch_scratch[j] = batch_scratch[j - 1];
      batch_scratch[j] = b;
    }
    part_scratch.clear();
    topic_scratch.clear();
    for (Batch* b : batch_scratch) part_scratch.push_back({b->partition, b->sealed});
    for (std::size_t i = 0; i < batch_scratch.size();) {
      std::size_t j = i;
      while (j < batch_scratch.size() && batch_scratch[j]->topic == batch_scratch[i]->topic) ++j;
      topic_scratch.push_back({topics[batch_scratch[i]->topic].name,
                               std::span(part_scratch).subspan(i, j - i)});
      i = j;
    }
    wire::Writer w(c.send_buffer());
    const auto h = c.header(wire::ApiKey::kProduce, produce_version);
    wire::ProduceRequest req;
    req.acks = s.acks;
    req.timeout_ms = static_cast<std::int32_t>(std::min<std::int64_t>(s.request_timeout_ms, INT32_MAX));
    req.topics = topic_scratch;
    if (!wire::encode_produce_request(w, h, req)) {
      for (Batch* b : batch_scratch) {
        report_batch(b, Errc::kRecordTooLarge, 0, "the Produce request could not be encoded", -1,
                     -1);
      }
      return true;
    }
    bump(shared.counters.produce_requests);
    bump(shared.counters.batches_sent, batch_scratch.size());
    // Link the batches to the request.
    Batch* head = nullptr;
    for (auto it = batch_scratch.rbegin(); it != batch_scratch.rend(); ++it) {
      (*it)->next = head;
      head = *it;
      ++(*it)->attempts;
      PartitionState& ps = topics[(*it)->topic].partitions[static_cast<std::size_t>((*it)->partition)];
      ++ps.in_flight;
      ps.in_flight_node = c.node_id();
    }
    // Stamped as the send is queued: reap() submits it to the kernel in
    // this same pass of the loop.
    const std::int64_t sent = mono_ns();
    for (Batch* b = head; b != nullptr; b = b->next) b->sent_ns = sent;
    // acks=0: no response will come; the records count as sent once the
    // kernel has the request (on_sent).
    if (s.acks != 0) ++c.produce_in_flight;
    c.send(w.position(), h, s.acks != 0, head, now_ns, *this);
    return true;
  }

  void seal(PartitionState& ps, Batch* b) noexcept {
    wire::ProducerFields fields;
    if (pstate.idempotent()) {
      fields.producer_id = pstate.producer_id();
      fields.producer_epoch = pstate.producer_epoch();
      fields.base_sequence = ps.next_sequence;
      // Sequences wrap to 0 after INT32_MAX, as the broker expects.
      ps.next_sequence = wire::sequence_after(ps.next_sequence, static_cast<std::int32_t>(b->count()));
    }
    b->order = ps.next_batch_order++;
    b->seal(fields, compressor.get(), scratch);
  }

  // --- completions ---------------------------------------------------------

  bool reap() noexcept {
    return reactor.reap([this](std::uint64_t token, int res) noexcept {
      brokers.dispatch(token, res, now_ns, *this);
    });
  }

  void complete_unanswered(Connection& c) noexcept {
    auto* b = static_cast<Batch*>(c.unanswered);
    c.unanswered = nullptr;
    while (b != nullptr) {
      Batch* next = b->next;
      PartitionState& ps = topics[b->topic].partitions[static_cast<std::size_t>(b->partition)];
      if (ps.in_flight > 0) --ps.in_flight;
      report_batch(b, Errc::kOk, 0, "", -1, -1);
      b = next;
    }
  }

  struct MetadataApply : wire::MetadataVisitor {
    Loop& loop;
    explicit MetadataApply(Loop& l) : loop(l) {}
    void on_broker(const wire::MetadataBroker& b) noexcept override {
      loop.brokers.listed(b.node_id, b.host, static_cast<std::uint16_t>(b.port), loop);
    }
    TopicInfo* find(std::string_view name) noexcept {
      for (TopicInfo& t : loop.topics) {
        if (t.name == name) return &t;
      }
      return nullptr;
    }
    void on_topic(const wire::MetadataTopic& mt) noexcept override {
      TopicInfo* t = find(mt.name);
      if (t == nullptr) return;
      if (mt.error_code != 0) {
        if (t->status != TopicStatus::kMissing) t->missing_since_ns = loop.now_ns;
        if (t->status != TopicStatus::kOk) t->status = TopicStatus::kMissing;
        return;
      }
      try {
        // Partitions only grow in Kafka.
        while (t->partitions.size() < static_cast<std::size_t>(mt.partition_count)) {
          t->partitions.emplace_back().next_sequence = loop.s.test_first_sequence;
        }
      } catch (...) {
        return;
      }
      t->partition_count = static_cast<std::int32_t>(t->partitions.size());
      t->status = TopicStatus::kOk;
    }
    void on_partition(const wire::MetadataTopic& mt,
                      const wire::MetadataPartition& mp) noexcept override {
      TopicInfo* t = find(mt.name);
      if (t == nullptr || mp.partition < 0 ||
          static_cast<std::size_t>(mp.partition) >= t->partitions.size()) {
        return;
      }
      PartitionState& ps = t->partitions[static_cast<std::size_t>(mp.partition)];
      ps.leader = mp.leader_id;
      ps.leader_epoch = mp.leader_epoch;
    }
  };

  void on_metadata(std::span<const std::byte> body, std::int16_t version) noexcept {
    MetadataApply apply(*this);
    if (wire::decode_metadata_response(body, version, apply) != wire::DecodeStatus::kOk) {
      RK_DEBUG("malformed Metadata response");
      metadata_wanted = true;
      metadata_next_ns = core::deadline_after_ms(now_ns, s.retry_backoff_ms);
      return;
    }
    metadata_refresh_ns = core::deadline_after_ms(now_ns, s.metadata_max_age_ms);
    // Topics still unknown (or a leader missing) are asked about again soon.
    bool again = false;
    for (const TopicInfo& t : topics) {
      if (t.status != TopicStatus::kOk) again = true;
      for (const PartitionState& ps : t.partitions) again |= ps.leader < 0;
    }
    if (again) {
      metadata_wanted = true;
      metadata_next_ns = core::deadline_after_ms(now_ns, s.retry_backoff_ms);
    }
  }

  void on_init_producer_id(std::span<const std::byte> body, std::int16_t version) noexcept {
    pid_in_flight = false;
    wire::InitProducerIdResponse r;
    const bool decoded =
        wire::decode_init_producer_id_response(body, version, r) == wire::DecodeStatus::kOk;
    switch (pstate.on_init_producer_id(decoded, decoded ? r.error_code : -1, r.producer_id,
                                       r.producer_epoch)) {
      case ProducerState::IdOutcome::kFatal:
        // The application must hear it: idempotence cannot work here.
        fatal("InitProducerId refused with %.*s: an idempotent producer cannot get a producer id",
              static_cast<int>(wire::error_info(r.error_code).name.size()),
              wire::error_info(r.error_code).name.data());
        return;
      case ProducerState::IdOutcome::kRetry:
        RK_DEBUG("InitProducerId failed (error %d); retrying", decoded ? r.error_code : -1);
        pid_next_attempt_ns = core::deadline_after_ms(now_ns, s.retry_backoff_ms);
        return;
      case ProducerState::IdOutcome::kReadyResequence:
        resequence();
        break;
      case ProducerState::IdOutcome::kReady:
        break;
    }
    RK_DEBUG("producer id %lld epoch %d", static_cast<long long>(pstate.producer_id()),
             pstate.producer_epoch());
  }

  // A queued batch the broker may have written: the epoch bump waits for
  // it, since restamped under a new epoch it would be written twice.
  bool maybe_written_queued() const noexcept {
    for (const TopicInfo& t : topics) {
      for (const PartitionState& ps : t.partitions) {
        for (const Batch* b = ps.ready.head; b != nullptr; b = b->next) {
          if (b->is_sealed() && b->maybe_written) return true;
        }
      }
    }
    return false;
  }

  bool nothing_in_flight() const noexcept {
    for (const Connection& c : brokers) {
      if (c.produce_in_flight != 0) return false;
    }
    return true;
  }

  // After an epoch bump: every partition starts at sequence 0 again.  The
  // sealed batches still queued (retries, in their order) are restamped
  // with the new epoch and fresh sequences; batches sealed later continue
  // from there.
  void resequence() noexcept {
    for (TopicInfo& t : topics) {
      for (PartitionState& ps : t.partitions) {
        std::int32_t seq = 0;
        for (Batch* b = ps.ready.head; b != nullptr && b->is_sealed(); b = b->next) {
          wire::ProducerFields fields;
          fields.producer_id = pstate.producer_id();
          fields.producer_epoch = pstate.producer_epoch();
          fields.base_sequence = seq;
          b->restamp(fields);
          seq = wire::sequence_after(seq, static_cast<std::int32_t>(b->count()));
        }
        ps.next_sequence = seq;
        ps.acked_in_epoch = false;
      }
    }
    RK_DEBUG("sequences reset under producer id %lld epoch %d",
             static_cast<long long>(pstate.producer_id()), pstate.producer_epoch());
  }

  struct ProduceApply : wire::ProduceResponseVisitor {
    Loop& loop;
    Connection& conn;
    Batch** list;
    ProduceApply(Loop& l, Connection& c, Batch** batches) : loop(l), conn(c), list(batches) {}
    // Quotas (KIP-219): the broker answers at once and leaves the waiting
    // to the client, as the Java client and librdkafka do it.
    void on_throttle(std::int32_t throttle_time_ms) noexcept override {
      if (throttle_time_ms <= 0) return;
      conn.throttled_until_ns =
          std::max(conn.throttled_until_ns, core::deadline_after_ms(loop.now_ns, throttle_time_ms));
      RK_DEBUG("node %d throttles us for %d ms", conn.node_id(), throttle_time_ms);
    }
    void on_partition(const wire::ProducePartitionResponse& p) noexcept override {
      // Unlink the batch this answer is for.
      for (Batch** at = list; *at != nullptr; at = &(*at)->next) {
        Batch* b = *at;
        if (b->partition == p.partition && loop.topics[b->topic].name == p.topic) {
          *at = b->next;
          b->next = nullptr;
          loop.on_batch_result(b, p);
          return;
        }
      }
    }
  };

  void on_produce(Connection& c, const broker::InFlight& f, std::span<const std::byte> body) noexcept {
    auto* list = static_cast<Batch*>(f.context);
    ProduceApply apply(*this, c, &list);
    if (wire::decode_produce_response(body, f.version, apply) != wire::DecodeStatus::kOk) {
      RK_DEBUG("malformed Produce response");
    }
    // Batches the response did not mention (or all of them, if it was
    // malformed) go out again.
    requeue_request(list);
  }

  void on_batch_result(Batch* b, const wire::ProducePartitionResponse& p) noexcept {
    PartitionState& ps = topics[b->topic].partitions[static_cast<std::size_t>(b->partition)];
    const std::int16_t code = p.error_code;
    // Behind a retry: an earlier batch of the partition failed first and
    // waits to go again, so this one only arrived ahead of it.
    const bool behind_a_retry = ps.ready.head != nullptr && ps.ready.head->is_sealed() &&
                                ps.ready.head->order < b->order;
    const ProducerState::Outcome o = pstate.on_result(code, facts(*b), behind_a_retry);
    if (o.not_written) b->maybe_written = false;
    if (o.refresh_metadata) {
      metadata_wanted = true;
      if (p.current_leader_id >= 0) ps.leader = p.current_leader_id;  // KIP-951
    }
    switch (o.verdict) {
      case ProducerState::Verdict::kAck:
        if (ps.in_flight > 0) --ps.in_flight;
        ps.acked_in_epoch = true;
        // DUPLICATE_SEQUENCE_NUMBER: the broker had it (a retry whose
        // answer was lost), without telling where.
        if (code == 0) {
          report_batch(b, Errc::kOk, 0, "", p.base_offset, p.log_append_time_ms);
        } else {
          report_batch(b, Errc::kOk, 0, "", -1, -1);
        }
        return;
      case ProducerState::Verdict::kRetry: {
        // retry.backoff.ms doubling per attempt up to retry.backoff.max.ms.
        // Saturating: retry.backoff.ms may be near INT64_MAX.
        const std::uint32_t shift = std::min<std::uint32_t>(b->attempts, 10);
        std::int64_t backoff = s.retry_backoff_ms > (INT64_MAX >> shift) ? INT64_MAX
                                                                         : s.retry_backoff_ms << shift;
        backoff = std::min(backoff, s.retry_backoff_max_ms);
        retry_batch(b, jittered(backoff));
        return;
      }
      case ProducerState::Verdict::kFailMaybeWritten:
        if (ps.in_flight > 0) --ps.in_flight;
        report_batch(b, Errc::kBroker, code,
                     "sequence error on a retry: the broker may have written this batch "
                     "(its answer was lost) and no longer remembers it; not sent again",
                     -1, -1);
        return;
      case ProducerState::Verdict::kFail:
        if (ps.in_flight > 0) --ps.in_flight;
        report_batch(b, Errc::kBroker, code, wire::error_info(code).name.data(), -1, -1);
        return;
    }
  }

  static BatchFacts facts(const Batch& b) noexcept { return {b.is_sealed(), b.attempts, b.maybe_written}; }
  static PartitionFacts facts(const PartitionState& ps) noexcept {
    return {ps.in_flight, ps.in_flight_node, ps.acked_in_epoch};
  }

  // --- time ------------------------------------------------------------------

  void housekeeping() noexcept {
    if (now_ns >= metadata_refresh_ns && metadata_refresh_ns != 0) metadata_wanted = true;
    brokers.check_timeouts(now_ns, *this);
    // Batches that waited too long, and the active list's idle entries.
    for (std::size_t i = 0; i < active.size();) {
      auto [ti, pi] = active[i];
      PartitionState& ps = topics[ti].partitions[static_cast<std::size_t>(pi)];
      while (ps.ready.head != nullptr &&
             now_ns - ps.ready.head->created_ns > core::ms_to_ns(s.delivery_timeout_ms)) {
        Batch* b = ps.ready.pop_front();
        report_batch(b, Errc::kMessageTimedOut, 0, "not sent within delivery.timeout.ms", -1, -1);
      }
      if (ps.open != nullptr && ps.ready.empty() &&
          now_ns - ps.open->created_ns > core::ms_to_ns(s.delivery_timeout_ms)) {
        Batch* b = ps.open;
        ps.open = nullptr;
        report_batch(b, Errc::kMessageTimedOut, 0, "not sent within delivery.timeout.ms", -1, -1);
      }
      if (ps.open == nullptr && ps.ready.empty()) {
        ps.active = false;
        active[i] = active.back();
        active.pop_back();
      } else {
        ++i;
      }
    }
  }

  // --- sleeping --------------------------------------------------------------

  // The next moment something falls due that no completion announces:
  // a linger ending, a retry's backoff, a reconnect, a metadata retry.
  // Housekeeping (delivery and request timeouts) runs at least every
  // 10 ms while anything is queued or in flight, else every 100 ms.
  std::int64_t next_deadline_ns() noexcept {
    std::int64_t due = now_ns + 100 * kMs;
    auto consider = [&](std::int64_t t) {
      if (t > now_ns && t < due) due = t;
    };
    bool busy = !active.empty();
    for (auto [ti, pi] : active) {
      const PartitionState& ps = topics[ti].partitions[static_cast<std::size_t>(pi)];
      if (ps.open != nullptr) consider(core::deadline_after_ms(ps.open->created_ns, s.linger_ms));
      if (ps.ready.head != nullptr) consider(ps.ready.head->retry_at_ns);
    }
    for (const Connection& c : brokers) {
      if (c.state() == Connection::State::kBackoff) consider(c.next_attempt_ns());
      if (c.ready()) consider(c.throttled_until_ns);
      busy |= c.in_flight_count() != 0;
    }
    // A name being looked up: its answer ends no park, so look soon.
    if (brokers.resolving()) consider(now_ns + kMs);
    if (metadata_wanted) consider(metadata_next_ns);
    if (metadata_refresh_ns != 0) consider(metadata_refresh_ns);
    if (!pstate.may_produce()) consider(pid_next_attempt_ns);
    if (busy) consider(now_ns + 10 * kMs);
    return due;
  }

  // Nothing to do this pass: spin, yield or park as the policy says
  // (io/idle.h).  A park ends early on any completion, and never runs
  // past the next deadline.  No producer wakes us: the next pass looks at
  // the rings.
  void idle() noexcept {
    const IdlePolicy::Step step = idle_policy.on_idle(now_ns);
    const bool park = step.action == IdlePolicy::Action::kPark;
    reactor.idle(step, park ? next_deadline_ns() - now_ns : 0);
  }

  // --- the end ---------------------------------------------------------------

  // After close() (kPurged) or a fatal error (kFatal): every record still
  // here ends in a report with `error`.
  void purge_everything(Errc error, const char* why) noexcept {
    now_ns = mono_ns();
    now_ms = wall_ms();
    sync_topics();
    const std::uint32_t n = shared.slots_in_use.load(std::memory_order_acquire);
    for (std::uint32_t i = 0; i < n; ++i) {
      Slot& slot = *shared.slots[i];
      while (true) {
        bool available = false;
        bool large = false;
        const auto msg = slot.peek_record(&available, &large);
        if (!available) break;
        const RecordView rec = handoff::decode(msg);
        report_one(slot.index, rec.head.opaque, rec.head.topic, rec.head.partition,
                   rec.head.timestamp_ms < 0 ? now_ms : rec.head.timestamp_ms, error, 0,
                   why);
        slot.pop_record(large);
      }
    }
    for (Connection& c : brokers) {
      c.drain_in_flight([&](const broker::InFlight& f) noexcept {
        for (auto* b = static_cast<Batch*>(f.context); b != nullptr;) {
          Batch* next = b->next;
          report_batch(b, error, 0, why, -1, -1);
          b = next;
        }
      });
    }
    for (Connection& c : brokers) {
      // acks=0 requests the kernel had not fully taken: not sent, purged.
      for (auto* b = static_cast<Batch*>(c.unanswered); b != nullptr;) {
        Batch* next = b->next;
        report_batch(b, error, 0, why, -1, -1);
        b = next;
      }
      c.unanswered = nullptr;
    }
    for (TopicInfo& t : topics) {
      for (PartitionState& ps : t.partitions) {
        while (Batch* b = ps.ready.pop_front()) report_batch(b, error, 0, why, -1, -1);
        if (ps.open != nullptr) {
          report_batch(ps.open, error, 0, why, -1, -1);
          ps.open = nullptr;
        }
      }
    }
  }
};

Result<std::unique_ptr<Sender>> Sender::start(handoff::Shared& shared) {
  auto loop = std::make_unique<Loop>(shared);
  if (!loop->setup()) return Error{Errc::kResource, std::string(loop->start_error)};
  Loop* l = loop.get();
  try {
    l->thread = std::thread([l] {
      pthread_setname_np(pthread_self(), "rk-sender");
      l->run();
    });
  } catch (const std::exception& e) {
    return Error{Errc::kResource, std::string("cannot start the sender thread: ") + e.what()};
  }
  // The ring is made on the sender thread (SINGLE_ISSUER); a producer that
  // cannot have one is refused here rather than accepting records it could
  // never send.
  l->started.wait(0, std::memory_order_acquire);
  if (l->started.load(std::memory_order_acquire) != 1) {
    l->thread.join();
    return Error{Errc::kResource, std::string(l->start_error)};
  }
  return std::unique_ptr<Sender>(new Sender(std::move(loop)));
}

Sender::Sender(std::unique_ptr<Loop> loop) noexcept : loop_(std::move(loop)) {}

Sender::~Sender() { join(); }

void Sender::join() noexcept {
  if (loop_ && loop_->thread.joinable()) loop_->thread.join();
}

}  // namespace ringkafka::sender
