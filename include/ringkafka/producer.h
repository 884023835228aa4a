// ringkafka — the producer.
//
//   auto config = ringkafka::Config::low_latency();
//   config.bootstrap_servers("localhost:9092");
//   auto producer = ringkafka::Producer::create(config);
//   if (!producer) { std::cerr << producer.error().message; return 1; }
//   auto topic = (*producer)->topic("orders").value();
//   if ((*producer)->produce(topic, "key", "value") != ringkafka::Errc::kOk) { /* not accepted */ }
//   ringkafka::DeliveryReport reports[64];
//   std::size_t n = (*producer)->poll(reports);   // on the producing thread
//
// Threads: any number of application threads (up to producer.threads.max)
// call produce() and poll(); each gets its own lock-free ring on its first
// call.  One sender thread, started by create(), does all network I/O.
// docs/architecture.md describes the data flow and who owns which memory.
#pragma once

#include "ringkafka/export.h"  // first: it stops a pre-C++20 build with the reason

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "ringkafka/config.h"
#include "ringkafka/error.h"
#include "ringkafka/statistics.h"

namespace ringkafka {

/// Bytes the producer copies; a null key is distinct from an empty one, as
/// in Kafka.  Converts from string views, strings, C strings, and any
/// contiguous range of byte-sized elements (std::vector<char>,
/// std::array<std::uint8_t, N>, std::span<const std::byte>, ...).
struct Bytes {
  const void* data = nullptr;
  std::size_t size = 0;
  bool is_null = true;

  constexpr Bytes() noexcept = default;
  constexpr Bytes(const void* d, std::size_t n) noexcept : data(d), size(n), is_null(false) {}
  constexpr Bytes(std::string_view s) noexcept  // NOLINT: implicit by design
      : data(s.data()), size(s.size()), is_null(false) {}
  constexpr Bytes(const char* s) noexcept : Bytes(std::string_view(s)) {}  // NOLINT
  Bytes(const std::string& s) noexcept : Bytes(std::string_view(s)) {}    // NOLINT
  /// Any contiguous, sized range of 1-byte trivially copyable elements.
  /// Character arrays and strings take the string_view form above (a
  /// literal's size is without its NUL).
  template <class R>
    requires std::ranges::contiguous_range<const R&> && std::ranges::sized_range<const R&> &&
             (sizeof(std::ranges::range_value_t<const R&>) == 1) &&
             std::is_trivially_copyable_v<std::ranges::range_value_t<const R&>> &&
             (!std::is_convertible_v<const R&, std::string_view>)
  Bytes(const R& range) noexcept  // NOLINT: implicit by design
      : data(std::ranges::data(range)), size(std::ranges::size(range)), is_null(false) {}
  static constexpr Bytes null() noexcept { return {}; }
};

struct Header {
  std::string_view name;  ///< at most 65535 bytes
  Bytes value;            ///< may be null
};

/// A topic resolved once by Producer::topic(); cheap to copy.
struct Topic {
  std::uint32_t index = UINT32_MAX;
  [[nodiscard]] bool valid() const noexcept { return index != UINT32_MAX; }
};

inline constexpr std::int32_t kAnyPartition = -1;  ///< let the partitioner choose
inline constexpr std::int64_t kTimestampNow = -1;  ///< CreateTime taken by the sender
/// A key or value size for Producer::reserve(): null, as Bytes::null().
inline constexpr std::size_t kNullSize = SIZE_MAX;

/// A record's optional fields, for produce() and reserve(), named at the
/// call: produce(t, key, value, {.opaque = &order, .partition = 2}) — in
/// this order (C++20 designated initializers follow the declaration).
struct ProduceOptions {
  std::span<const Header> headers{};        ///< copied by the call
  std::int64_t timestamp_ms = kTimestampNow;  ///< CreateTime; kTimestampNow: the sender's clock
  void* opaque = nullptr;                   ///< returned in the delivery report
  std::int32_t partition = kAnyPartition;   ///< kAnyPartition: the partitioner chooses
};

/// Room for one record in the calling thread's ring, for writing the key and
/// value in place (Producer::reserve).  Write the key into key() and the
/// value into value(), all of each, then Producer::commit() or
/// Producer::abandon() it, on the thread that reserved it.  Both spans are
/// empty for a null or empty key or value.
class Reservation {
 public:
  [[nodiscard]] std::span<std::byte> key() const noexcept { return key_; }
  [[nodiscard]] std::span<std::byte> value() const noexcept { return value_; }
  /// Reserved and not yet committed or abandoned.
  [[nodiscard]] bool open() const noexcept { return slot_ != nullptr; }

 private:
  friend class Producer;
  std::span<std::byte> key_;
  std::span<std::byte> value_;
  void* slot_ = nullptr;
  std::size_t size_ = 0;
};

/// Whether a record may be in the topic's log, as librdkafka's
/// rd_kafka_message_status() says it.  A failed record can still be there:
/// a request that carried it went out and its answer never came (a lost
/// connection, a timeout, a purge at close while it was in flight), so the
/// broker may have written it.  Retrying such a record yourself may
/// duplicate it; an idempotent producer's own retries never do.
enum class Persistence : std::uint8_t {
  /// never sent, or refused by the broker on every attempt
  kNotPersisted,
  /// sent at least once without an answer (or acks=0)
  kPossiblyPersisted,
  /// acknowledged by the broker (acks=1 or all)
  kPersisted,
};

/// One per accepted record.
struct DeliveryReport {
  void* opaque = nullptr;            ///< as given to produce()
  Topic topic;
  std::int32_t partition = -1;       ///< -1 if the record never got one
  std::int64_t offset = -1;          ///< -1 on error, and with acks=0
  std::int64_t timestamp_ms = -1;    ///< CreateTime, or the broker's LogAppendTime
  /// When the Produce request carrying the record was last submitted to
  /// the kernel (io_uring), in CLOCK_MONOTONIC nanoseconds
  /// (std::chrono::steady_clock on Linux); -1 if it never was.  For
  /// measuring wire latency.
  std::int64_t sent_ns = -1;
  Errc error = Errc::kOk;
  std::int16_t kafka_error = 0;      ///< Kafka's error code when error == kBroker
  Persistence persisted = Persistence::kNotPersisted;
  /// Never null.  Static text, or for a broker's refusal the error's name
  /// and the broker's own words ("INVALID_RECORD: ..."), kept by the
  /// producer until it is destroyed.
  const char* message = "";

  [[nodiscard]] bool ok() const noexcept { return error == Errc::kOk; }
};

/// Counters kept by the sender, read without stopping it (each counter is
/// exact; together they are a snapshot only approximately).
struct ProducerStats {
  std::uint64_t batch_buffers = 0;       ///< batch buffers allocated; recycled, freed at destruction
  std::uint64_t batch_buffer_bytes = 0;
  std::uint64_t produce_requests = 0;    ///< Produce requests sent
  std::uint64_t batches_sent = 0;        ///< batches in them; a retried batch counts again
  std::uint64_t batch_retries = 0;
  std::uint64_t connections = 0;         ///< connections that completed their handshake
  std::uint64_t reauthentications = 0;   ///< SASL sessions renewed on an open connection (KIP-368)
};

/// A consumed position committed with a transaction
/// (Producer::send_offsets_to_transaction): the offset of the next record
/// to consume from the partition, as Java's OffsetAndMetadata and
/// librdkafka's topic-partition list give it.
struct ConsumedOffset {
  std::string_view topic = {};
  std::int32_t partition = 0;
  std::int64_t offset = 0;         ///< the next record to consume (last consumed + 1)
  std::int32_t leader_epoch = -1;  ///< of the last record consumed; -1: unknown
  std::string_view metadata = {};  ///< kept with the offset
};

/// The consumer group those offsets belong to, as its consumer reports it
/// (Java's KafkaConsumer::groupMetadata(), librdkafka's
/// rd_kafka_consumer_group_metadata()).  The group coordinator refuses
/// offsets from a member fenced by a rebalance (KIP-447).  A generation of
/// -1 and an empty member id commit for a group no live member is in.
struct ConsumerGroupMetadata {
  std::string group_id;
  std::int32_t generation_id = -1;
  std::string member_id;
  std::string group_instance_id;  ///< empty: no static membership
};

class RINGKAFKA_API Producer {
 public:
  /// Checks the config, allocates every per-record buffer (rings, report
  /// queues, batch arenas), starts the sender thread and begins connecting
  /// to bootstrap.servers.  It does not wait for a broker.
  static Result<std::unique_ptr<Producer>> create(const Config& config);

  /// close() with delivery.timeout.ms... capped at 5 s; records still
  /// unsent then end in kPurged reports, which are lost with the producer.
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  /// Resolves a topic name to a handle (once; keep the handle).  The topic's
  /// metadata is fetched in the background; records produced before it
  /// arrives wait for it.  Thread-safe; may allocate and lock.  The name is
  /// checked as Kafka does (1 to 249 characters of [a-zA-Z0-9._-], not "."
  /// or ".."): kInvalidArgument, naming the offending character or length;
  /// kTooManyTopics past topics.max.
  Result<Topic> topic(std::string_view name);
  [[nodiscard]] std::string_view topic_name(Topic topic) const noexcept;
  /// The largest record produce() and reserve() accept, in bytes of ring
  /// space: key, value and headers plus a few bytes of framing (about 12,
  /// more with headers or options).  It is max.request.size, or less when
  /// the producer's rings are smaller.  Larger records get kRecordTooLarge
  /// from produce().  One more limit is checked later, by the sender: a
  /// record whose batch (61 bytes of batch header and the record's own
  /// varint framing) would exceed max.request.size is accepted and then
  /// reported kRecordTooLarge, with the batch's size and the limit in the
  /// message; keep records some 100 bytes under max.request.size.  (The
  /// Java client refuses that record in send(); the exact framing is only
  /// known once its headers are encoded, which produce() does not do.)
  [[nodiscard]] std::size_t max_record_size() const noexcept;

  /// Copies the record into the calling thread's ring.  kOk means accepted:
  /// exactly one delivery report will follow.  Anything else means not
  /// accepted, and no report follows.  No lock, no allocation and no system
  /// call, except when the ring is full and max.block.ms > 0: then it sleeps
  /// until there is room or max.block.ms passes, as the caller asked.  It
  /// never wakes the sender, which finds the record on its own
  /// (sender.idle.strategy).  kInvalidArgument while this thread holds an
  /// open Reservation.
  [[nodiscard]] Errc produce(Topic topic, Bytes key, Bytes value) noexcept;
  [[nodiscard]] Errc produce(Topic topic, Bytes key, Bytes value,
                             const ProduceOptions& options) noexcept;

  /// produce() in two steps, for callers that encode a record in place:
  /// reserve() room for a key of key_size and a value of value_size bytes
  /// (kNullSize for null), with the options' headers copied now, then write
  /// into the Reservation's spans and commit() it.  kOk from reserve() opens
  /// the reservation; only commit() accepts the record, and then exactly one
  /// delivery report follows, as for produce().  abandon() instead: nothing
  /// was accepted, no report follows.  Errors, limits and blocking are
  /// produce()'s; kInvalidArgument if `out` is already open.  One open
  /// reservation per thread; commit or abandon it promptly (close() waits
  /// for it).  Neither call locks, allocates or makes a system call.
  [[nodiscard]] Errc reserve(Reservation& out, Topic topic, std::size_t key_size,
                             std::size_t value_size, const ProduceOptions& options = {}) noexcept;
  void commit(Reservation& reservation) noexcept;
  void abandon(Reservation& reservation) noexcept;

  /// Moves up to out.size() delivery reports of records this thread produced
  /// into `out` and returns how many.  Also takes the reports of threads that
  /// exited with reports still queued.  With a delivery callback configured,
  /// always 0.  A thread that never polls fills its report queue, and then
  /// produce() says kReportQueueFull: poll regularly.
  std::size_t poll(std::span<DeliveryReport> out) noexcept;

  /// Waits until every record accepted before the call has its report (in a
  /// report queue or passed to the callback), sending any lingering batch
  /// at once.  kOk, or kTimedOut; kResource only when more than 256
  /// producing threads are in use and memory to track them cannot be had.
  ///
  /// flush() and close() are not [[nodiscard]], unlike produce(), reserve()
  /// and every call that returns a Result: ignoring their answer loses
  /// nothing, since a record still unreported gets its one report later
  /// (kPurged at close at the latest), so a bare `producer.close(5s);` at
  /// shutdown is fine.
  Errc flush(std::chrono::milliseconds timeout) noexcept;
  /// flush(timeout), then hands every delivery report queued for this thread
  /// (and for exited threads) to `on_report` on the calling thread, as
  /// librdkafka's rd_kafka_flush() serves its delivery callbacks: the end of
  /// a "produce everything, then flush" loop.  Returns flush()'s answer;
  /// the reports that are there are served either way.  With a delivery
  /// callback in the Config the reports went there already and `on_report`
  /// is not called.  A loop that produces more records than the report
  /// queue holds (report.queue.size) without polling still gets
  /// kReportQueueFull: configure a delivery callback instead, or poll() in
  /// the loop (docs/coming-from.md).
  Errc flush(std::chrono::milliseconds timeout, DeliveryCallback on_report,
             void* context = nullptr) noexcept;

  /// flush(timeout), then stops the sender; records still unsent end in
  /// kPurged reports.  produce() returns kClosed afterwards; poll() still
  /// works.  Idempotent: a later call answers what the first did (kTimedOut
  /// if that one purged records).
  Errc close(std::chrono::milliseconds timeout) noexcept;

  /// Claims a ring for the calling thread now instead of on its first
  /// produce(); kTooManyThreads past producer.threads.max.  Optional.
  Errc register_thread() noexcept;

  /// Records accepted and not yet reported, over all threads.
  [[nodiscard]] std::uint64_t in_flight() const noexcept;

  [[nodiscard]] ProducerStats stats() const noexcept;

  /// A statistics snapshot (ringkafka/statistics.h), built by the sender on
  /// its next pass and copied into `out`, whose storage is reused: once it
  /// has the producer's size a call allocates nothing.  It waits for the
  /// sender (within its idle strategy's longest park), so it is no call for
  /// the hot path: use Config::statistics_callback for periodic snapshots.
  /// kTimedOut after `timeout`; kClosed after close(); kResource when `out`
  /// cannot grow; kState from a callback on the sender thread.  A timeout
  /// of 0 copies the last snapshot published, without asking for a new
  /// one (kTimedOut if there is none).  Each new snapshot starts a new
  /// latency window, whoever asked for it: callback and readers share them.
  Errc statistics(Statistics& out,
                  std::chrono::milliseconds timeout = std::chrono::seconds(1)) noexcept;

  // --- transactions (transactional.id; docs/transactions.md) ---------------
  /// Each call returns an Error whose kind says what may follow: retriable
  /// (call it again; a timed-out call goes on in the background and calling
  /// it again waits for it), abortable (abort_transaction(), then go on),
  /// fatal (destroy the producer), permanent (misuse: kState, with what was
  /// wrong).  A second call while one runs on another thread is refused
  /// (kState, retriable), never queued.  A transactional producer's
  /// produce() says kState outside a transaction.

  /// Once per producer, before the first transaction: finds the transaction
  /// coordinator for transactional.id and gets the producer id and epoch
  /// from it.  An earlier producer with the same transactional.id is fenced
  /// and its open transaction aborted.  Blocks up to `timeout`.
  Result<std::monostate> init_transactions(std::chrono::milliseconds timeout);

  /// Opens a transaction: from now on produce() takes records, from any
  /// thread, and each belongs to this transaction.  Local: no request.
  Result<std::monostate> begin_transaction();

  /// Consume-transform-produce: the consumer's offsets become part of the
  /// open transaction, committed with it (and dropped if it aborts), so
  /// that what was consumed and what was produced commit together.  The
  /// group coordinator is found for group.group_id; the call returns when it
  /// holds the offsets.  ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID or
  /// FENCED_INSTANCE_ID (a rebalance took the consumer's partitions) make
  /// the transaction abortable.  Records may be produced meanwhile; commit
  /// and abort wait until it returns.  Blocks up to `timeout`.
  Result<std::monostate> send_offsets_to_transaction(std::span<const ConsumedOffset> offsets,
                                                     const ConsumerGroupMetadata& group,
                                                     std::chrono::milliseconds timeout);

  /// Ends the open transaction.  produce() refuses records (kState) from
  /// the moment either is called.  commit: every record accepted before the
  /// call is delivered first (lingering batches go at once), then the
  /// coordinator commits; if any of them failed, the commit is refused
  /// with an abortable error and their reports say why.  abort: records not
  /// yet sent end in kAborted reports, those in flight are answered, then
  /// the coordinator aborts.  Either may be called again after a timeout
  /// to wait for the same end.  Blocks up to `timeout`.
  Result<std::monostate> commit_transaction(std::chrono::milliseconds timeout);
  Result<std::monostate> abort_transaction(std::chrono::milliseconds timeout);

  /// Why the producer became unusable, empty while it is fine.
  [[nodiscard]] std::string fatal_error() const;

  struct Impl;

 private:
  explicit Producer(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ringkafka
