// Producer: the application threads' side.  produce() finds the calling
// thread's slot through a one-entry thread-local cache, copies the record
// into the slot's ring and publishes it; everything else is the sender's.
#include "ringkafka/producer.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

#include "config/settings.h"
#include "core/asymmetric_fence.h"
#include "core/clock.h"
#include "handoff/record_format.h"
#include "handoff/shared.h"
#include "producer/lifecycle.h"
#include "producer/slot_memory.h"
#include "producer/topic_name.h"
#include "producer/transactions.h"
#include "producer/waiting.h"
#include "sender/sender.h"

namespace ringkafka {
namespace {

using handoff::kFree;
using handoff::kOrphan;
using handoff::Slot;

std::atomic<std::uint64_t> g_next_producer_id{1};

// Producers alive, so that a thread exiting after its producer was
// destroyed does not touch freed slots.  Leaked on purpose: threads may
// exit after static destructors ran.
struct Registry {
  std::mutex mu;
  std::vector<std::uint64_t> alive;
};
Registry& registry() {
  static auto* r = new Registry;
  return *r;
}

// Called with r.mu held.
bool is_alive(const Registry& r, std::uint64_t producer_id) {
  return std::find(r.alive.begin(), r.alive.end(), producer_id) != r.alive.end();
}

struct HeldSlot {
  std::uint64_t producer_id = 0;
  Slot* slot = nullptr;
};

// The slot this thread used last: produce()'s one-entry cache.  Kept apart
// from ThreadSlots because a thread_local with a destructor is reached
// through an initialisation guard on every access; this one is constinit
// and trivially destructible.  initial-exec: in the shared library the
// default model reaches it through a __tls_get_addr call on every
// produce(); initial-exec makes it one %fs-relative load there too, at the
// price of 16 bytes of the static TLS block glibc reserves at start-up
// (a dlopen()ed libringkafka.so still fits: glibc keeps spare room for
// that).
constinit thread_local HeldSlot tl_last [[gnu::tls_model("initial-exec")]];

// The slots this thread holds, released (made orphans) when it exits.
struct ThreadSlots {
  static constexpr std::size_t kHeld = 32;
  HeldSlot held[kHeld];
  std::size_t count = 0;

  // Drops what it holds of producers destroyed since, so that a thread
  // that outlives many producers does not run out of entries.
  void forget_destroyed() {
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (is_alive(r, held[i].producer_id)) held[kept++] = held[i];
    }
    count = kept;
  }

  ~ThreadSlots() {
    if (count == 0) return;
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    for (std::size_t i = 0; i < count; ++i) {
      if (is_alive(r, held[i].producer_id)) {
        held[i].slot->owner.store(kOrphan, std::memory_order_release);
      }
    }
  }
};
thread_local ThreadSlots tl_slots;
thread_local char tl_token_anchor;

std::uint64_t thread_token() noexcept { return reinterpret_cast<std::uintptr_t>(&tl_token_anchor); }

using core::mono_ns;


}  // namespace

struct Producer::Impl {
  explicit Impl(config::Settings settings) : shared(std::move(settings)) {}

  handoff::Shared shared;
  std::unique_ptr<sender::Sender> sender;
  std::uint64_t id = g_next_producer_id.fetch_add(1, std::memory_order_relaxed);
  std::size_t max_record = 0;  // the largest ring message a record may take
  slot_memory::SlotMemory memory;  // behind shared.slots; unmapped first
  std::mutex close_mu;
  std::atomic<bool> sender_joined{false};
  // What the first close() answered; a later call answers the same
  // (issue 13: it said kOk after the first had timed out).
  std::atomic<Errc> close_result{Errc::kOk};
  transactions::TxnCalls txn{shared};

  Slot* slot_for_thread(Errc* error) noexcept {
    if (tl_last.producer_id == id) [[likely]] return tl_last.slot;
    return claim_slot(error);
  }

  // The slot this thread already holds, or nullptr; never claims one.
  Slot* held_slot() noexcept {
    if (tl_last.producer_id == id) return tl_last.slot;
    ThreadSlots& t = tl_slots;
    for (std::size_t i = 0; i < t.count; ++i) {
      if (t.held[i].producer_id == id) {
        tl_last = t.held[i];
        return tl_last.slot;
      }
    }
    return nullptr;
  }

  // Out of line and cold: produce() reaches it once per thread.
  [[gnu::noinline, gnu::cold]] Slot* claim_slot(Errc* error) noexcept {
    if (Slot* s = held_slot(); s != nullptr) return s;
    ThreadSlots& t = tl_slots;
    if (t.count == ThreadSlots::kHeld) t.forget_destroyed();
    // A slot this thread could not remember would never be released nor
    // found again: refuse instead.
    if (t.count == ThreadSlots::kHeld) {
      *error = Errc::kTooManyThreads;
      return nullptr;
    }
    const std::uint64_t token = thread_token();
    Slot* got = nullptr;
    for (auto& s : shared.slots) {
      std::uint64_t expected = kFree;
      if (s->owner.compare_exchange_strong(expected, token, std::memory_order_acq_rel)) {
        got = s.get();
        break;
      }
    }
    if (got == nullptr) {
      // A slot whose thread exited, once everything of that thread is done.
      for (auto& s : shared.slots) {
        if (s->owner.load(std::memory_order_acquire) != kOrphan || !drained(*s)) continue;
        // Hold poll_busy so that no poll() is taking this orphan's reports
        // while it changes hands (its queue has a single consumer).
        bool idle = false;
        if (!s->poll_busy.compare_exchange_strong(idle, true, std::memory_order_acquire)) continue;
        std::uint64_t expected = kOrphan;
        const bool won =
            drained(*s) &&
            s->owner.compare_exchange_strong(expected, token, std::memory_order_acq_rel);
        s->poll_busy.store(false, std::memory_order_release);
        if (won) {
          got = s.get();
          break;
        }
      }
    }
    if (got == nullptr) {
      *error = Errc::kTooManyThreads;
      return nullptr;
    }
    std::uint32_t in_use = shared.slots_in_use.load(std::memory_order_relaxed);
    while (in_use < got->index + 1 &&
           !shared.slots_in_use.compare_exchange_weak(in_use, got->index + 1,
                                                      std::memory_order_release)) {
    }
    if (got->consumed_cache == 0 && got->accepted.load(std::memory_order_relaxed) == 0) {
      memory.prefault(*got, shared.settings);
    }
    const HeldSlot e{id, got};
    t.held[t.count++] = e;
    tl_last = e;
    return got;
  }

  [[nodiscard]] bool drained(Slot& s) const noexcept {
    const std::uint64_t accepted = s.accepted.load(std::memory_order_acquire);
    return s.rings_empty() && s.reported.load(std::memory_order_acquire) == accepted &&
           (shared.settings.callback != nullptr || s.reports.consumed() == accepted);
  }

  // Room in the report queue for one more record's report (poll mode).
  bool report_room(Slot& s) noexcept {
    if (shared.settings.callback != nullptr) return true;
    const std::uint64_t accepted = s.accepted.load(std::memory_order_relaxed);
    if (accepted - s.consumed_cache < s.reports.capacity()) return true;
    s.consumed_cache = s.reports.consumed();
    return accepted - s.consumed_cache < s.reports.capacity();
  }

  // A full ring: wait up to max.block.ms for room, asleep until the sender
  // has made progress (the one place produce() may make a system call:
  // the caller asked to block).  Out of line so that produce()'s fast path
  // keeps a small frame.
  [[gnu::noinline]] std::byte* wait_for_ring(core::SpscByteRing& ring, std::size_t size,
                                             Errc* error) noexcept {
    const std::int64_t block_ms = shared.settings.max_block_ms;
    if (block_ms == 0) {
      *error = Errc::kQueueFull;
      return nullptr;
    }
    const std::int64_t deadline = core::deadline_after_ms(mono_ns(), block_ms);
    waiting::Waiting waiting(shared);
    while (true) {
      const std::uint32_t seen = shared.progress.load(std::memory_order_acquire);
      if (std::byte* p = ring.try_reserve(size); p != nullptr) return p;
      const std::int64_t now = mono_ns();
      if (now >= deadline) {
        *error = Errc::kTimedOut;
        return nullptr;
      }
      if (shared.closed()) {
        *error = Errc::kClosed;
        return nullptr;
      }
      core::futex_wait(shared.progress, seen,
                       std::min(deadline - now, handoff::Shared::kWaitSliceNs));
    }
  }

  // A record above Slot::large_threshold(): room for it in the large ring
  // and for its marker (an empty message) in the small one, both or
  // neither; commit publishes both (finish_record).  Reservations are
  // private until committed, so one that is not followed by the other
  // costs nothing.
  [[gnu::noinline]] std::byte* reserve_large(Slot& slot, std::size_t size, Errc* error) noexcept {
    std::byte* p = slot.large.try_reserve(size);
    if (p == nullptr) p = wait_for_ring(slot.large, size, error);
    if (p == nullptr) return nullptr;
    if (slot.ring.try_reserve(0) == nullptr && wait_for_ring(slot.ring, 0, error) == nullptr) {
      return nullptr;
    }
    slot.large_pending = true;
    return p;
  }

  // produce()'s body (defined below, by the calls).
  Errc produce_record(Topic topic, Bytes key, Bytes value, std::span<const Header> headers,
                      std::int64_t timestamp_ms, void* opaque, std::int32_t partition) noexcept;
  Errc start_record(Topic topic, Bytes key, Bytes value, std::span<const Header> headers,
                    std::int64_t timestamp_ms, void* opaque, std::int32_t partition,
                    Slot** slot_out, std::byte** space, handoff::Layout* layout_out) noexcept;
  void finish_record(Slot& slot, std::size_t size) noexcept;

  void stop_sender() noexcept {
    std::lock_guard lock(close_mu);
    if (sender_joined.load(std::memory_order_acquire)) return;
    shared.refuse(handoff::Shared::kRefuseClosed);
    waiting::wait_for_producers(shared);
    // The sender sees it on its next pass, within sender.idle.park.max.us.
    shared.stopping.store(true, std::memory_order_release);
    if (sender) sender->join();
    sender_joined.store(true, std::memory_order_release);
  }
};

Result<std::unique_ptr<Producer>> Producer::create(const Config& config) {
  auto parsed = config::parse_settings(config);
  if (!parsed.ok()) return parsed.error();
  auto impl = std::make_unique<Impl>(std::move(parsed.value()));
  const config::Settings& s = impl->shared.settings;

  if (auto error = impl->memory.map(s, impl->shared.slots)) return *error;
  // parse_settings() sized the large ring so that this is max.request.size.
  const Slot& first = *impl->shared.slots[0];
  impl->max_record = std::min<std::size_t>(
      std::max(first.large_threshold(), first.large.max_message_size()),
      static_cast<std::size_t>(s.max_request_size));

  {
    std::lock_guard lock(registry().mu);
    registry().alive.push_back(impl->id);
  }
  auto sender = sender::Sender::start(impl->shared);
  if (!sender.ok()) {
    std::lock_guard lock(registry().mu);
    std::erase(registry().alive, impl->id);
    return sender.error();
  }
  impl->sender = std::move(sender.value());
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Producer::Producer(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

Producer::~Producer() {
  const auto limit = std::chrono::milliseconds(
      std::min<std::int64_t>(impl_->shared.settings.delivery_timeout_ms, 5000));
  (void)close(limit);
  lifecycle::warn_unpolled(impl_->shared);
  std::lock_guard lock(registry().mu);
  std::erase(registry().alive, impl_->id);
}

Result<Topic> Producer::topic(std::string_view name) {
  if (std::string why = topic_name::check(name); !why.empty()) {
    return Error{Errc::kInvalidArgument, std::move(why)};
  }
  handoff::TopicTable& t = impl_->shared.topics;
  std::lock_guard lock(t.mu);
  const std::uint32_t n = t.count.load(std::memory_order_relaxed);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (t.names[i] == name) return Topic{i};
  }
  if (n == t.names.size()) {
    return Error{Errc::kTooManyTopics,
                 "topics.max (" + std::to_string(n) + ") topics are already in use"};
  }
  t.names[n] = std::string(name);
  t.count.store(n + 1, std::memory_order_release);  // pairs with the sender's acquire
  return Topic{n};
}

std::size_t Producer::max_record_size() const noexcept { return impl_->max_record; }

std::string_view Producer::topic_name(Topic topic) const noexcept {
  const handoff::TopicTable& t = impl_->shared.topics;
  if (topic.index >= t.count.load(std::memory_order_acquire)) return {};
  return t.names[topic.index];
}

// What produce() and reserve() share: the checks, the thread's slot and
// room in its ring.  On kOk, *slot_out has `busy` set (cleared by
// finish_record() or abandon()) and *space holds *size_out bytes.
// Always inlined: produce() pays no call for the split.
[[gnu::always_inline]] inline Errc Producer::Impl::start_record(
    Topic topic, Bytes key, Bytes value, std::span<const Header> headers,
    std::int64_t timestamp_ms, void* opaque, std::int32_t partition, Slot** slot_out,
    std::byte** space, handoff::Layout* layout_out) noexcept {
  if (topic.index >= shared.topics.count.load(std::memory_order_relaxed) || partition < -1 ||
      timestamp_ms < -1) [[unlikely]] {
    return Errc::kInvalidArgument;
  }
  Errc error = Errc::kOk;
  Slot* slot = slot_for_thread(&error);
  if (slot == nullptr) [[unlikely]] return error;
  // busy set already: this thread holds an open Reservation.
  if (slot->busy.load(std::memory_order_relaxed)) [[unlikely]] return Errc::kInvalidArgument;

  // busy brackets the check of `closed` and the commit (see
  // wait_for_producers); every failure below clears it.
  slot->busy.store(true, std::memory_order_relaxed);
  core::light_fence();
  const auto fail = [slot](Errc e) noexcept {
    slot->busy.store(false, std::memory_order_release);
    return e;
  };
  if (const std::uint8_t r = shared.refusing.load(std::memory_order_relaxed); r != 0) [[unlikely]] {
    return fail((r & handoff::Shared::kRefuseClosed) != 0  ? Errc::kClosed
                : (r & handoff::Shared::kRefuseFatal) != 0 ? Errc::kFatal
                                                           : Errc::kState);
  }

  const handoff::Layout layout =
      handoff::layout(key, value, headers, partition, timestamp_ms, opaque);
  const std::size_t size = layout.size;
  if (size == 0 || size > max_record) [[unlikely]] {
    return fail(size == 0 ? Errc::kInvalidArgument : Errc::kRecordTooLarge);
  }
  // A full report queue only empties when this thread polls: waiting for
  // it could never end, so it is kReportQueueFull at once, whatever
  // max.block.ms says.
  if (!report_room(*slot)) [[unlikely]] return fail(Errc::kReportQueueFull);
  std::byte* p = nullptr;
  if (size > slot->large_threshold()) [[unlikely]] {
    p = reserve_large(*slot, size, &error);
  } else {
    p = slot->ring.try_reserve(size);
    if (p == nullptr) [[unlikely]] p = wait_for_ring(slot->ring, size, &error);
  }
  if (p == nullptr) [[unlikely]] return fail(error);
  handoff::encode_frame(p, layout, topic.index, partition, timestamp_ms, opaque, key, value,
                         headers);
  *slot_out = slot;
  *space = p;
  *layout_out = layout;
  return Errc::kOk;
}

// Accepts the record start_record() made room for.
[[gnu::always_inline]] inline void Producer::Impl::finish_record(Slot& slot,
                                                                 std::size_t size) noexcept {
  // Counted before it is published, so `reported` can never pass `accepted`.
  slot.accepted.store(slot.accepted.load(std::memory_order_relaxed) + 1,
                      std::memory_order_release);
  // Release: the sender may now read it.  Nothing wakes the sender; it
  // looks at the ring on its next pass (io/idle.h).
  if (slot.large_pending) [[unlikely]] {
    slot.large.commit(size);  // before the marker: see Slot
    slot.ring.commit(0);
    slot.large_pending = false;
  } else {
    slot.ring.commit(size);
  }
  slot.busy.store(false, std::memory_order_release);
}

// The two forms share one body, inlined into each: the short form passes
// constants, so the common call pays nothing for the options it lacks.
[[gnu::always_inline]] inline Errc Producer::Impl::produce_record(
    Topic topic, Bytes key, Bytes value, std::span<const Header> headers,
    std::int64_t timestamp_ms, void* opaque, std::int32_t partition) noexcept {
  Impl& im = *this;
  Slot* slot = nullptr;
  std::byte* p = nullptr;
  handoff::Layout layout;
  const Errc e = im.start_record(topic, key, value, headers, timestamp_ms, opaque, partition, &slot,
                                 &p, &layout);
  if (e != Errc::kOk) [[unlikely]] return e;
  handoff::copy_key_value(p, layout, key, value);
  im.finish_record(*slot, layout.size);
  return Errc::kOk;
}

Errc Producer::produce(Topic topic, Bytes key, Bytes value) noexcept {
  return impl_->produce_record(topic, key, value, {}, kTimestampNow, nullptr, kAnyPartition);
}

Errc Producer::produce(Topic topic, Bytes key, Bytes value, const ProduceOptions& o) noexcept {
  return impl_->produce_record(topic, key, value, o.headers, o.timestamp_ms, o.opaque,
                        o.partition);
}

Errc Producer::reserve(Reservation& out, Topic topic, std::size_t key_size,
                       std::size_t value_size, const ProduceOptions& o) noexcept {
  if (out.open()) return Errc::kInvalidArgument;
  // Bytes with sizes only: layout() and encode_frame() read no data.
  const Bytes key = key_size == kNullSize ? Bytes::null() : Bytes(nullptr, key_size);
  const Bytes value = value_size == kNullSize ? Bytes::null() : Bytes(nullptr, value_size);
  Slot* slot = nullptr;
  std::byte* p = nullptr;
  handoff::Layout layout;
  const Errc e = impl_->start_record(topic, key, value, o.headers, o.timestamp_ms, o.opaque,
                                     o.partition, &slot, &p, &layout);
  if (e != Errc::kOk) return e;
  std::byte* k = p + layout.head;
  out.key_ = {k, key.size};
  out.value_ = {k + key.size, value.size};
  out.slot_ = slot;
  out.size_ = layout.size;
  return Errc::kOk;
}

void Producer::commit(Reservation& r) noexcept {
  if (!r.open()) return;
  impl_->finish_record(*static_cast<Slot*>(r.slot_), r.size_);
  r = Reservation{};
}

void Producer::abandon(Reservation& r) noexcept {
  if (!r.open()) return;
  // The ring space was never published: the next record takes it.
  auto* slot = static_cast<Slot*>(r.slot_);
  slot->large_pending = false;
  slot->busy.store(false, std::memory_order_release);
  r = Reservation{};
}

std::size_t Producer::poll(std::span<DeliveryReport> out) noexcept {
  Impl& im = *impl_;
  if (im.shared.settings.callback != nullptr || out.empty()) return 0;
  std::size_t n = 0;
  // A thread that never produced holds no slot and claims none here.
  if (Slot* own = im.held_slot(); own != nullptr) n = own->reports.pop_into(out);
  // Reports of threads that exited go to whoever polls.
  const std::uint32_t used = im.shared.slots_in_use.load(std::memory_order_acquire);
  for (std::uint32_t i = 0; i < used && n < out.size(); ++i) {
    Slot& s = *im.shared.slots[i];
    if (s.owner.load(std::memory_order_acquire) != kOrphan) continue;
    bool expected = false;
    if (!s.poll_busy.compare_exchange_strong(expected, true, std::memory_order_acquire)) continue;
    // Still an orphan now that we hold poll_busy: a new owner takes the
    // slot only while holding it too.
    if (s.owner.load(std::memory_order_acquire) == kOrphan) {
      n += s.reports.pop_into(out.subspan(n));
    }
    s.poll_busy.store(false, std::memory_order_release);
  }
  return n;
}

Errc Producer::flush(std::chrono::milliseconds timeout) noexcept {
  return lifecycle::flush(impl_->shared, timeout);
}

Errc Producer::flush(std::chrono::milliseconds timeout, DeliveryCallback on_report,
                     void* context) noexcept {
  const Errc flushed = flush(timeout);
  if (on_report == nullptr) return flushed;
  std::array<DeliveryReport, 64> batch;  // on the stack: no allocation
  for (std::size_t n; (n = poll(batch)) != 0;) {
    for (std::size_t i = 0; i < n; ++i) on_report(batch[i], context);
  }
  return flushed;
}

Errc Producer::close(std::chrono::milliseconds timeout) noexcept {
  Impl& im = *impl_;
  if (im.sender_joined.load(std::memory_order_acquire)) {
    return im.close_result.load(std::memory_order_acquire);
  }
  im.shared.refuse(handoff::Shared::kRefuseClosed);
  waiting::wait_for_producers(im.shared);
  const Errc flushed = flush(timeout);
  // Records still unsent are purged: every close() from now on says so.
  if (flushed != Errc::kOk) im.close_result.store(flushed, std::memory_order_release);
  im.stop_sender();
  return im.close_result.load(std::memory_order_acquire);
}

Errc Producer::register_thread() noexcept {
  Errc error = Errc::kOk;
  return impl_->slot_for_thread(&error) != nullptr ? Errc::kOk : error;
}

std::uint64_t Producer::in_flight() const noexcept { return impl_->shared.outstanding(); }

ProducerStats Producer::stats() const noexcept { return lifecycle::stats(impl_->shared); }

Errc Producer::statistics(Statistics& out, std::chrono::milliseconds timeout) noexcept {
  return lifecycle::statistics(impl_->shared, out, timeout);
}

Result<std::monostate> Producer::init_transactions(std::chrono::milliseconds timeout) {
  return impl_->txn.init(timeout);
}

Result<std::monostate> Producer::begin_transaction() { return impl_->txn.begin(); }

Result<std::monostate> Producer::send_offsets_to_transaction(
    std::span<const ConsumedOffset> offsets, const ConsumerGroupMetadata& group,
    std::chrono::milliseconds timeout) {
  return impl_->txn.send_offsets(offsets, group, timeout);
}

Result<std::monostate> Producer::commit_transaction(std::chrono::milliseconds timeout) {
  return impl_->txn.commit(timeout);
}

Result<std::monostate> Producer::abort_transaction(std::chrono::milliseconds timeout) {
  return impl_->txn.abort(timeout);
}

std::string Producer::fatal_error() const {
  std::lock_guard lock(impl_->shared.fatal_mu);
  return std::string(impl_->shared.fatal_message);
}

}  // namespace ringkafka
