// What the application threads and the sender thread share: one Slot per
// producing thread (its record ring, its report queue, its counters), the
// topic table, and the flags that flush and stop the sender.
//
// Nothing here wakes the sender: it finds new records by looking at the
// rings itself (io/idle.h), so produce() never makes a system call.
//
// Everything here is allocated by Producer::create and freed by the
// producer's destructor after the sender thread has been joined; nothing
// here is allocated or freed while records flow.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/settings.h"
#include "core/cache_line.h"
#include "core/futex.h"
#include "core/spsc_byte_ring.h"
#include "handoff/messages.h"
#include "handoff/report_queue.h"
#include "handoff/statistics_exchange.h"
#include "ringkafka/error.h"

namespace ringkafka::handoff {

// Slot::owner values besides a thread's token.
inline constexpr std::uint64_t kFree = 0;
inline constexpr std::uint64_t kOrphan = 1;  // its thread exited; reports may remain

// A record's way to the sender is `ring`, small enough to stay in L2 (a
// large ring's lines are cold by the time the producer comes round to them
// again).  A record above large_threshold() goes whole into `large`, sized
// for max.request.size, and `ring` gets an empty message in its place: the
// sender, reading `ring` in order, takes the next message of `large` for
// it.  So one thread's records keep their order whatever their sizes, and
// the sender has one place to read from.  The producer commits `large`
// before the marker, so a sender that sees the marker finds the record
// published (SpscByteRing's release/acquire on each ring's length words).
struct alignas(core::kCacheLine) Slot {
  Slot(std::span<std::byte> ring_memory, std::span<std::byte> large_memory,
       std::span<DeliveryReport> report_memory, std::uint32_t slot_index) noexcept
      : ring(ring_memory), large(large_memory), reports(report_memory), index(slot_index) {}

  core::SpscByteRing ring;   // records: owner thread -> sender
  core::SpscByteRing large;  // records above large_threshold(), in ring's order
  ReportQueue reports;       // reports: sender -> owner thread (poll mode)

  // Records (encoded) above this size take `large`.
  [[nodiscard]] std::size_t large_threshold() const noexcept { return ring.capacity() / 8; }

  // Sender side: the oldest record, from whichever ring holds it; an empty
  // span with *available = false when there is none.  *from_large says
  // which pop_record() must free.
  [[nodiscard]] std::span<const std::byte> peek_record(bool* available, bool* from_large) noexcept {
    auto msg = ring.peek(available);
    *from_large = *available && msg.empty();
    if (*from_large) [[unlikely]] msg = large.peek(available);  // committed before the marker
    return msg;
  }
  void pop_record(bool from_large) noexcept {
    if (from_large) [[unlikely]] large.pop();
    ring.pop();
  }
  [[nodiscard]] bool rings_empty() const noexcept { return ring.empty() && large.empty(); }

  // Written only by the thread that owns the slot (a plain store, no RMW).
  alignas(core::kCacheLine) std::atomic<std::uint64_t> accepted{0};
  std::uint64_t consumed_cache = 0;  // the owner's last view of reports.consumed()
  // Set while produce() is between its `closed` check and its commit, so
  // that close() can wait out a record on its way in (see close()).
  std::atomic<bool> busy{false};
  // The open record was reserved in `large` (and its marker in `ring`).
  bool large_pending = false;

  // Written only by the sender.
  alignas(core::kCacheLine) std::atomic<std::uint64_t> reported{0};

  // Claiming and releasing a slot, and polling an orphan's reports: slow path.
  alignas(core::kCacheLine) std::atomic<std::uint64_t> owner{kFree};
  std::atomic<bool> poll_busy{false};
  const std::uint32_t index;
};

// Names of the topics handed out by Producer::topic(), indexed by handle.
// Appended under `mu`; the sender reads entries [0, count) after an acquire
// load of count, and an entry never changes once published.
struct TopicTable {
  explicit TopicTable(std::size_t max) : names(max) {}
  std::mutex mu;
  std::vector<std::string> names;
  std::atomic<std::uint32_t> count{0};
};

// A sender counter (Shared::Counters) goes up.  One writer, the sender: a
// load and a store, no read-modify-write.
inline void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

// The transactional calls and the sender (docs/transactions.md).  The
// application thread, holding the producer's transaction lock, writes
// `step` and then stores a new number in `posted` (release); the sender
// sees the number with one acquire load per pass, runs the step, writes
// the outcome and stores the number in `done` (release); the caller waits
// on Shared::progress for `done` to reach it.  A control path: no lock
// here is ever on produce()'s way.
enum class TxnStep : std::uint8_t { kNone, kInit, kSendOffsets, kCommit, kAbort };
// The consumed offsets of a kSendOffsets step, copied by the caller before
// it posts; the sender reads them while the step runs and the caller
// leaves them alone until it is done.
struct TxnOffsets {
  std::string group_id;
  std::int32_t generation_id = -1;
  std::string member_id;
  std::string group_instance_id;  // empty: none
  struct Entry {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::int32_t leader_epoch = -1;
    std::string metadata;
  };
  std::vector<Entry> entries;  // grouped by topic
};
struct TxnChannel {
  TxnStep step = TxnStep::kNone;
  TxnOffsets offsets;
  alignas(core::kCacheLine) std::atomic<std::uint32_t> posted{0};
  // The outcome of step number `done`, written before it.
  Errc error = Errc::kOk;
  ErrorKind kind = ErrorKind::kPermanent;
  char message[400] = {};
  std::atomic<std::uint32_t> done{0};
};

struct Shared {
  explicit Shared(config::Settings s) : settings(std::move(s)), topics(settings.max_topics) {}

  const config::Settings settings;
  std::vector<std::unique_ptr<Slot>> slots;
  // Slots ever claimed: the sender scans [0, slots_in_use).
  std::atomic<std::uint32_t> slots_in_use{0};
  TopicTable topics;

  // Why produce() refuses records, if it does: one load on every call.
  // Bits: closed (from close() on), fatal (the sender's unrecoverable
  // state), no transaction (a transactional producer between
  // transactions).  They change rarely — closed and fatal once in a
  // producer's life, the transaction bit twice a transaction — so the line
  // is nobody's to write while records flow.  Set and cleared with RMWs:
  // three writers share the byte.
  static constexpr std::uint8_t kRefuseClosed = 1;
  static constexpr std::uint8_t kRefuseFatal = 2;
  static constexpr std::uint8_t kRefuseNoTransaction = 4;
  alignas(core::kCacheLine) std::atomic<std::uint8_t> refusing{0};
  [[nodiscard]] bool closed() const noexcept {
    return (refusing.load(std::memory_order_acquire) & kRefuseClosed) != 0;
  }
  [[nodiscard]] bool fatal() const noexcept {
    return (refusing.load(std::memory_order_acquire) & kRefuseFatal) != 0;
  }
  void refuse(std::uint8_t bit) noexcept { refusing.fetch_or(bit, std::memory_order_release); }
  void admit(std::uint8_t bit) noexcept {
    refusing.fetch_and(static_cast<std::uint8_t>(~bit), std::memory_order_release);
  }

  // Threads waiting for the sender (flush(), a full ring under
  // max.block.ms) sleep on `progress` (core/futex.h); while `waiters` is
  // not 0 the sender bumps it and wakes them after every pass that did
  // work.  Both sides touch `waiters` with an acq_rel read-modify-write
  // (the sender adds 0): RMWs of one variable are totally ordered and each
  // reads the one before, so either the sender's comes later and sees the
  // waiter, or the waiter's comes later and sees every `reported` store the
  // sender made before its own.  (A waiter also sleeps at most
  // kWaitSliceNs, so even a lost wake-up would cost only that.)
  alignas(core::kCacheLine) std::atomic<std::uint32_t> waiters{0};
  std::atomic<std::uint32_t> progress{0};
  static constexpr std::int64_t kWaitSliceNs = 50'000'000;

  // Control: flush() callers waiting, close() begun, the sender's own end.
  alignas(core::kCacheLine) std::atomic<std::uint32_t> flush_waiters{0};
  std::atomic<bool> stopping{false}; // the sender purges what is left and exits
  std::atomic<bool> sender_exited{false};  // no report will come any more
  std::mutex fatal_mu;
  // Fixed storage: the sender writes it in noexcept code, where a string's
  // allocation could only end the process.
  char fatal_message[512] = {};
  // Broker texts in reports (messages.h); the sender's to write.
  MessageTable messages;
  // transactional.id's calls (unused without it).
  TxnChannel txn;

  // The sender's counters (Producer::stats()); only the sender writes them.
  struct Counters {
    std::atomic<std::uint64_t> batch_buffers{0};
    std::atomic<std::uint64_t> batch_buffer_bytes{0};
    std::atomic<std::uint64_t> produce_requests{0};
    std::atomic<std::uint64_t> batches_sent{0};
    std::atomic<std::uint64_t> batch_retries{0};
    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> reauthentications{0};
    std::atomic<std::uint64_t> records_failed{0};  // reports with an error (transactions' commit check)
  };
  alignas(core::kCacheLine) Counters counters;
  // The sender's statistics snapshot, for Producer::statistics().
  alignas(core::kCacheLine) StatisticsExchange statistics;

  // Records accepted, and accepted but not yet reported, over every slot
  // (Producer::in_flight(); a transaction's commit waits for the second
  // to reach 0).  `reported` is read first: it never passes `accepted`
  // (counted before the record is published), so the difference never
  // wraps.
  [[nodiscard]] std::uint64_t accepted_total() const noexcept {
    std::uint64_t n = 0;
    const std::uint32_t used = slots_in_use.load(std::memory_order_acquire);
    for (std::uint32_t i = 0; i < used; ++i) n += slots[i]->accepted.load(std::memory_order_acquire);
    return n;
  }
  [[nodiscard]] std::uint64_t outstanding() const noexcept {
    std::uint64_t n = 0;
    const std::uint32_t used = slots_in_use.load(std::memory_order_acquire);
    for (std::uint32_t i = 0; i < used; ++i) {
      const Slot& s = *slots[i];
      const std::uint64_t done = s.reported.load(std::memory_order_acquire);
      n += s.accepted.load(std::memory_order_acquire) - done;
    }
    return n;
  }

  // The sender, after a pass that did work: wakes whoever waits.
  void wake_waiters() noexcept {
    if (waiters.fetch_add(0, std::memory_order_acq_rel) == 0) [[likely]] return;  // see `waiters`
    progress.fetch_add(1, std::memory_order_release);
    core::futex_wake_all(progress);
  }
};

}  // namespace ringkafka::handoff
