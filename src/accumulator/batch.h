// A producer batch: one RecordBatch v2 being filled for one partition, in a
// buffer from the BatchPool, with what the delivery reports need about each
// record stored at the far end of the same buffer.
//
//   buffer  [batch header | records ...........>      <... RecordMeta | RecordMeta]
//           0                                writer.size()     capacity - n*24   capacity
//
// The two regions grow towards each other; a record that would make them
// meet goes to the next batch.  Buffers are 2 x batch.size (and larger
// classes for records bigger than that), so batch.size bounds the record
// bytes as the Java client's does while the metadata of small records still
// fits.  Nothing here allocates: buffers and Batch objects are recycled by
// the pool when the broker's answer has been reported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "compress/codec.h"
#include "wire/record_batch.h"

namespace ringkafka::accumulator {

struct RecordMeta {
  void* opaque;
  std::int64_t timestamp_ms;
  std::uint32_t slot;
  std::uint32_t unused;
};
static_assert(sizeof(RecordMeta) == 24);

struct Batch {
  Batch* next = nullptr;  // the partition's queue, an in-flight request, or the free list

  std::byte* memory = nullptr;
  std::size_t capacity = 0;
  std::uint8_t size_class = 0;

  std::optional<wire::RecordBatchWriter> writer;
  std::uint32_t topic = 0;
  std::int32_t partition = -1;
  std::int64_t created_ns = 0;      // first record appended: linger and delivery timeout count from here
  std::int32_t base_sequence = -1;  // set at seal when idempotent
  std::span<const std::byte> sealed;  // the finished batch, after seal()
  std::uint32_t attempts = 0;       // Produce requests that carried it
  std::int64_t retry_at_ns = 0;     // not before, after a retriable error
  std::uint64_t order = 0;          // seal order within the partition, for retries
  std::int64_t sent_ns = -1;        // its last request went to the kernel (monotonic)
  // A request carrying it got no answer (connection lost, timed out): the
  // broker may have written it.  Idempotent retries of such a batch keep
  // its producer epoch and sequence, so the broker can recognise it.
  bool maybe_written = false;
  // As a parking lot (accumulator.h) the buffer holds raw parked records
  // instead: written up to parked_end, read from parked_begin.
  std::size_t parked_begin = 0;
  std::size_t parked_end = 0;

  [[nodiscard]] std::uint32_t count() const noexcept {
    return writer ? static_cast<std::uint32_t>(writer->record_count()) : 0;
  }
  [[nodiscard]] bool is_sealed() const noexcept { return !sealed.empty(); }
  [[nodiscard]] const RecordMeta& meta(std::uint32_t i) const noexcept {
    return reinterpret_cast<const RecordMeta*>(memory + capacity)[-1 - static_cast<std::ptrdiff_t>(i)];
  }

  // Starts an empty batch in this buffer.
  void reset(std::uint32_t topic_index, std::int32_t partition_index, std::int64_t now_ns) noexcept;

  // Appends a record and its meta; false (nothing changed) when they do not
  // fit, or when the records would pass `max_record_bytes` (batch.size) and
  // the batch is not empty.
  [[nodiscard]] bool append(std::int64_t timestamp_ms, const wire::NullableBytes& key,
                            const wire::NullableBytes& value,
                            std::span<const wire::RecordHeader> headers, const RecordMeta& meta,
                            std::size_t max_record_bytes) noexcept;

  // Finishes the batch with the producer fields, compressing its records
  // with `compressor` (when given) through `scratch` if that makes it
  // smaller and it fits.  After this, `sealed` is what goes on the wire.
  void seal(const wire::ProducerFields& producer, compress::Compressor* compressor,
            std::span<std::byte> scratch) noexcept;

  // Rewrites the producer fields of a sealed batch and its CRC, for a new
  // producer epoch after sequences were reset (KIP-360).  The records,
  // compressed or not, stay as they are: the CRC covers them but the
  // producer fields sit in the uncompressed header.
  void restamp(const wire::ProducerFields& producer) noexcept;
};

// The buffer a record of `record_bytes` (as wire::record_size counts) needs,
// as a size class: 0 for up to 2 x batch.size, then doubling.
[[nodiscard]] std::uint8_t size_class_for(std::size_t record_bytes, std::size_t batch_size) noexcept;
[[nodiscard]] std::size_t class_capacity(std::uint8_t size_class, std::size_t batch_size) noexcept;

// Batch buffers and Batch objects, recycled.  Class-0 buffers (records up
// to batch.size) are all made at create, as many as buffer.memory holds;
// larger classes, for records larger than batch.size, are allocated the
// first time such a record comes and recycled after.  acquire() and
// release() only move pointers once a buffer exists.
class BatchPool {
 public:
  BatchPool(std::size_t batch_size, std::size_t budget_bytes) noexcept
      : batch_size_(batch_size), budget_(budget_bytes) {}
  ~BatchPool();
  BatchPool(const BatchPool&) = delete;
  BatchPool& operator=(const BatchPool&) = delete;

  // Carves every class-0 buffer buffer.memory allows out of one region,
  // allocated now (at create) so that traffic never allocates them.  The
  // OS backs the region's pages on first touch (with transparent huge
  // pages when `large_pages`).  False without memory.
  [[nodiscard]] bool preallocate(bool large_pages) noexcept;

  // A batch with a buffer of `size_class`, or nullptr when buffer.memory is
  // used up (or memory cannot be had).  One buffer is always allowed when
  // none is in use, so a record larger than buffer.memory still goes out.
  // With `replay`, one buffer beyond buffer.memory: records parked before
  // their topic's metadata may hold all of it, and their replay frees it
  // only by moving them into batches (without the spare it never starts).
  [[nodiscard]] Batch* acquire(std::uint8_t size_class, bool replay = false) noexcept;
  void release(Batch* batch) noexcept;

  [[nodiscard]] std::size_t bytes_in_use() const noexcept { return in_use_; }
  [[nodiscard]] std::size_t bytes_allocated() const noexcept { return allocated_; }
  [[nodiscard]] std::size_t buffers_allocated() const noexcept { return all_.size(); }

 private:
  static constexpr std::size_t kClasses = 24;
  std::size_t batch_size_;
  std::size_t budget_;
  std::size_t in_use_ = 0;
  std::size_t allocated_ = 0;
  Batch* free_[kClasses] = {};
  std::vector<Batch*> all_;
  std::byte* region_ = nullptr;  // the preallocated class-0 buffers (core::map_region)
  std::size_t region_bytes_ = 0;
};

}  // namespace ringkafka::accumulator
