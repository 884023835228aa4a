// A lock-free single-producer single-consumer ring of variable-sized
// messages, in memory the caller provides (preallocated at create).  One
// application thread writes records; the sender thread reads them.
//
//   buffer:  [len|payload....][len|payload..][wrap marker]...free...[len|...
//            ^ read (consumer)                                      ^ write (producer)
//
// Each message is a 4-byte length followed by its payload, padded to 8
// bytes, and is never split across the end of the buffer: when it does not
// fit before the end, the producer writes a wrap marker and starts again at
// offset 0.  Positions are 64-bit counters that only grow, so full and empty
// need no extra flag, and the offset is the position modulo the capacity.
//
// Publishing is the length word itself, as in Aeron's ring buffers: the
// consumer polls the 4 bytes at its read position, and 0 means "nothing
// yet".  So a message costs the consumer one cache-line transfer (the line
// holding the message), not two, and an idle consumer spinning on an empty
// ring reads a line the producer will write anyway, never the producer's
// position.
//
// Memory ordering: the producer fills a message, stores 0 into the length
// word *after* it (the next message's, which the consumer will poll next),
// then publishes the message with a release store of its own length word;
// the consumer's acquire load of that word makes the bytes, and the zero
// after them, visible.  A wrap marker is published after the message it
// points to, so a consumer that sees the marker finds that message whole.
// Every length word the consumer reads is therefore either published or 0,
// never a stale word of an earlier lap.  The producer keeps 8 bytes free
// past every message for that zero (a ring never fills its last 8 bytes).
//
// The consumer frees space with a release store of read_; the producer's
// acquire load of read_ guarantees the consumer is done with those bytes
// before they are overwritten.  The producer reads read_ only when its
// cached copy says the ring looks full.  write_ is kept for empty(), which
// only slow paths call.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "core/cache_line.h"

namespace ringkafka::core {

class SpscByteRing {
 public:
  static constexpr std::size_t kAlign = 8;
  static constexpr std::size_t kHeader = 4;
  static constexpr std::uint32_t kWrapMarker = 0xffffffffU;
  // Set in every published length word, so that an empty message's word is
  // not 0 ("nothing yet").  Sizes stay below 2^31 (max_message_size()).
  static constexpr std::uint32_t kPublished = 0x80000000U;

  // `buffer` must have a power-of-two size of at least 64 bytes and be
  // 8-byte aligned; the ring does not own it.
  explicit SpscByteRing(std::span<std::byte> buffer) noexcept
      : buf_(buffer.data()), mask_(buffer.size() - 1) {
    word(buf_).store(0, std::memory_order_relaxed);  // the first word the consumer polls
  }

  [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

  // The largest payload try_reserve can ever accept.
  [[nodiscard]] std::size_t max_message_size() const noexcept {
    return capacity() / 2 - kHeader;
  }

  // --- producer side ---------------------------------------------------------

  // Space for a message of `size` bytes, or nullptr when the ring is full
  // (or size > max_message_size()).  Nothing is visible to the consumer until
  // commit().  At most one reservation may be open at a time.
  [[nodiscard]] std::byte* try_reserve(std::size_t size) noexcept {
    if (size > max_message_size()) return nullptr;
    const std::size_t need = padded(size);
    std::uint64_t w = write_.load(std::memory_order_relaxed);  // only we store it
    std::size_t offset = w & mask_;
    const std::size_t to_end = capacity() - offset;
    // A message that does not fit before the end costs the tail as well;
    // kAlign more for the zero length word after it.
    const std::size_t total = (need <= to_end ? need : to_end + need) + kAlign;
    if (w + total - read_cache_ > capacity()) {
      read_cache_ = read_.load(std::memory_order_acquire);  // pairs with pop()'s release
      if (w + total - read_cache_ > capacity()) return nullptr;
    }
    pending_wrap_ = need > to_end ? buf_ + offset : nullptr;
    if (pending_wrap_ != nullptr) {
      w += to_end;
      offset = 0;
    }
    pending_write_ = w;
    return buf_ + offset + kHeader;
  }

  // Publishes the reserved message with its final size (<= the reserved).
  void commit(std::size_t size) noexcept {
    const std::uint64_t w = pending_write_;
    const std::uint64_t next = w + padded(size);
    // The word the consumer polls after this message; it reads it only
    // after the release below, so a relaxed store is enough.
    word(buf_ + (next & mask_)).store(0, std::memory_order_relaxed);
    publish_u32(buf_ + (w & mask_), static_cast<std::uint32_t>(size) | kPublished);
    if (pending_wrap_ != nullptr) publish_u32(pending_wrap_, kWrapMarker);
    write_.store(next, std::memory_order_release);  // for empty()
  }

  // Copies a whole message in; false when full.
  [[nodiscard]] bool try_push(std::span<const std::byte> message) noexcept {
    std::byte* p = try_reserve(message.size());
    if (p == nullptr) return false;
    if (!message.empty()) std::memcpy(p, message.data(), message.size());
    commit(message.size());
    return true;
  }

  // --- consumer side ---------------------------------------------------------

  // The oldest message, or an empty span with *available = false.
  [[nodiscard]] std::span<const std::byte> peek(bool* available = nullptr) noexcept {
    std::uint64_t r = read_.load(std::memory_order_relaxed);  // only we store it
    std::uint32_t len = acquire_u32(buf_ + (r & mask_));  // pairs with commit()'s publish
    if (len == kWrapMarker) {
      r += capacity() - (r & mask_);
      len = acquire_u32(buf_);  // published before the marker: never 0 here
    }
    if (len == 0) {
      if (available != nullptr) *available = false;
      return {};
    }
    peek_read_ = r;
    if (available != nullptr) *available = true;
    return {buf_ + (r & mask_) + kHeader, len & ~kPublished};
  }

  // Frees the message peek() returned.
  void pop() noexcept {
    const std::uint64_t r = peek_read_;
    const std::uint32_t len = load_u32(buf_ + (r & mask_)) & ~kPublished;
    read_.store(r + padded(len), std::memory_order_release);  // pairs with try_reserve()'s acquire
  }

  // From any thread; slow paths only (it reads both sides' lines).
  [[nodiscard]] bool empty() const noexcept {
    return read_.load(std::memory_order_acquire) == write_.load(std::memory_order_acquire);
  }
  // Bytes committed and not yet popped (with headers and padding); the
  // statistics' view, from the consumer.  Read first, so never negative.
  [[nodiscard]] std::size_t used() const noexcept {
    const std::uint64_t r = read_.load(std::memory_order_acquire);
    return static_cast<std::size_t>(write_.load(std::memory_order_acquire) - r);
  }

 private:
  static constexpr std::size_t padded(std::size_t size) noexcept {
    return (size + kHeader + kAlign - 1) & ~(kAlign - 1);
  }
  static void store_u32(std::byte* p, std::uint32_t v) noexcept { std::memcpy(p, &v, 4); }
  static std::uint32_t load_u32(const std::byte* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  // A length word as the atomic both sides treat it as (8-byte aligned).
  static std::atomic_ref<std::uint32_t> word(std::byte* p) noexcept {
    return std::atomic_ref<std::uint32_t>(*reinterpret_cast<std::uint32_t*>(p));
  }
  static void publish_u32(std::byte* p, std::uint32_t v) noexcept {
    word(p).store(v, std::memory_order_release);
  }
  std::uint32_t acquire_u32(const std::byte* p) const noexcept {
    return word(const_cast<std::byte*>(p)).load(std::memory_order_acquire);
  }

  // Read-mostly by both sides.
  std::byte* const buf_;
  const std::size_t mask_;

  // The producer's line: its position, its cached view of the consumer's.
  alignas(kCacheLine) std::atomic<std::uint64_t> write_{0};
  std::uint64_t read_cache_ = 0;
  std::uint64_t pending_write_ = 0;
  std::byte* pending_wrap_ = nullptr;  // where commit() writes the wrap marker

  // The consumer's line.
  alignas(kCacheLine) std::atomic<std::uint64_t> read_{0};
  std::uint64_t peek_read_ = 0;

  // Keeps whatever follows this object off the consumer's line.
  [[maybe_unused]] alignas(kCacheLine) char pad_[1] = {};
};

static_assert(alignof(SpscByteRing) == kCacheLine);
static_assert(sizeof(SpscByteRing) == 4 * kCacheLine,
              "shared fields, producer line, consumer line, trailing pad");

}  // namespace ringkafka::core
