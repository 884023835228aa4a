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
// Memory ordering: the producer fills a message, then publishes it with a
// release store of write_; the consumer's acquire load of write_ makes the
// bytes visible.  The consumer frees space with a release store of read_;
// the producer's acquire load of read_ guarantees the consumer is done with
// those bytes before they are overwritten.  Each side keeps a cached copy of
// the other's position, so the shared line is read only when the cache says
// the ring looks full (producer) or empty (consumer).
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

  // `buffer` must have a power-of-two size of at least 64 bytes and be
  // 8-byte aligned; the ring does not own it.
  explicit SpscByteRing(std::span<std::byte> buffer) noexcept
      : buf_(buffer.data()), mask_(buffer.size() - 1) {}

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
    // A message that does not fit before the end costs the tail as well.
    const std::size_t total = need <= to_end ? need : to_end + need;
    if (w + total - read_cache_ > capacity()) {
      read_cache_ = read_.load(std::memory_order_acquire);  // pairs with release() below
      if (w + total - read_cache_ > capacity()) return nullptr;
    }
    if (need > to_end) {
      store_u32(buf_ + offset, kWrapMarker);
      w += to_end;
      offset = 0;
    }
    pending_write_ = w;
    return buf_ + offset + kHeader;
  }

  // Publishes the reserved message with its final size (<= the reserved).
  void commit(std::size_t size) noexcept {
    const std::uint64_t w = pending_write_;
    store_u32(buf_ + (w & mask_), static_cast<std::uint32_t>(size));
    write_.store(w + padded(size), std::memory_order_release);  // pairs with peek()'s acquire
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
    if (r == write_cache_) {
      write_cache_ = write_.load(std::memory_order_acquire);  // pairs with commit()'s release
      if (r == write_cache_) {
        if (available != nullptr) *available = false;
        return {};
      }
    }
    std::uint32_t len = load_u32(buf_ + (r & mask_));
    if (len == kWrapMarker) {
      r += capacity() - (r & mask_);
      len = load_u32(buf_);  // a wrap is only written with a message after it
    }
    peek_read_ = r;
    if (available != nullptr) *available = true;
    return {buf_ + (r & mask_) + kHeader, len};
  }

  // Frees the message peek() returned.
  void pop() noexcept {
    const std::uint64_t r = peek_read_;
    const std::uint32_t len = load_u32(buf_ + (r & mask_));
    read_.store(r + padded(len), std::memory_order_release);  // pairs with try_reserve()'s acquire
  }

  [[nodiscard]] bool empty() const noexcept {
    return read_.load(std::memory_order_acquire) == write_.load(std::memory_order_acquire);
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

  // Read-mostly by both sides.
  std::byte* const buf_;
  const std::size_t mask_;

  // The producer's line: its position, its cached view of the consumer's.
  alignas(kCacheLine) std::atomic<std::uint64_t> write_{0};
  std::uint64_t read_cache_ = 0;
  std::uint64_t pending_write_ = 0;

  // The consumer's line.
  alignas(kCacheLine) std::atomic<std::uint64_t> read_{0};
  std::uint64_t write_cache_ = 0;
  std::uint64_t peek_read_ = 0;

  // Keeps whatever follows this object off the consumer's line.
  [[maybe_unused]] alignas(kCacheLine) char pad_[1] = {};
};

static_assert(alignof(SpscByteRing) == kCacheLine);
static_assert(sizeof(SpscByteRing) == 4 * kCacheLine,
              "shared fields, producer line, consumer line, trailing pad");

}  // namespace ringkafka::core
