#include "accumulator/batch.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "compress/batch.h"
#include "core/region.h"
#include "wire/byte_order.h"
#include "wire/crc32c.h"

namespace ringkafka::accumulator {

void Batch::reset(std::uint32_t topic_index, std::int32_t partition_index,
                  std::int64_t now_ns) noexcept {
  next = nullptr;
  writer.emplace(std::span<std::byte>(memory, capacity));
  topic = topic_index;
  partition = partition_index;
  created_ns = now_ns;
  base_sequence = -1;
  sealed = {};
  attempts = 0;
  retry_at_ns = 0;
  sent_ns = -1;
  maybe_written = false;
}

bool Batch::append(std::int64_t timestamp_ms, const wire::NullableBytes& key,
                   const wire::NullableBytes& value, std::span<const wire::RecordHeader> headers,
                   const RecordMeta& meta, std::size_t max_record_bytes) noexcept {
  const std::uint32_t n = count();
  // Both limits bound the record's encoded size, which the writer computes
  // once: the records may not pass batch.size (unless the batch is empty),
  // and the record and its meta must not meet.
  const std::size_t meta_after = (n + 1) * sizeof(RecordMeta);
  const std::size_t used = writer->size();
  if (used + meta_after > capacity) return false;
  std::size_t limit = capacity - used - meta_after;
  if (n != 0) {
    const std::size_t records = used - wire::kRecordBatchHeaderSize;
    if (records >= max_record_bytes) return false;
    limit = std::min(limit, max_record_bytes - records);
  }
  if (!writer->append(timestamp_ms, key, value, headers, limit)) return false;
  std::memcpy(memory + capacity - meta_after, &meta, sizeof meta);
  return true;
}

void Batch::seal(const wire::ProducerFields& producer, compress::Compressor* compressor,
                 std::span<std::byte> scratch) noexcept {
  writer->set_producer(producer);
  base_sequence = producer.base_sequence;
  if (compressor != nullptr) {
    const compress::Result r = compress::seal_compressed(*writer, *compressor, scratch);
    const std::size_t room = capacity - count() * sizeof(RecordMeta);
    if (r.ok() && r.size < writer->size() && r.size <= room) {
      // The records are not needed uncompressed any more: the compressed
      // batch takes their place, and the meta at the far end stays put.
      std::memcpy(memory, scratch.data(), r.size);
      sealed = {memory, r.size};
      return;
    }
    // Not smaller (random bytes) or no room: send it uncompressed, which
    // every broker accepts whatever compression.type says.
  }
  sealed = writer->seal();
}

void Batch::restamp(const wire::ProducerFields& producer) noexcept {
  // Offsets from wire/record_batch.h's layout.
  auto* bytes = const_cast<std::byte*>(sealed.data());  // our own buffer
  wire::store_be<std::int64_t>(bytes + 43, producer.producer_id);
  wire::store_be<std::int16_t>(bytes + 51, producer.producer_epoch);
  wire::store_be<std::int32_t>(bytes + 53, producer.base_sequence);
  wire::store_be<std::uint32_t>(bytes + 17, wire::crc32c(sealed.subspan(21)));
  base_sequence = producer.base_sequence;
}

std::uint8_t size_class_for(std::size_t record_bytes, std::size_t batch_size) noexcept {
  // Room for the header, the record, its meta, and compression's worst case
  // on a single record (a few bytes per 64 KiB for lz4, a frame header).
  const std::size_t need = record_bytes + record_bytes / 64 + wire::kRecordBatchHeaderSize +
                           sizeof(RecordMeta) + 256;
  std::uint8_t c = 0;
  while (class_capacity(c, batch_size) < need && c < 23) ++c;
  return c;
}

std::size_t class_capacity(std::uint8_t size_class, std::size_t batch_size) noexcept {
  return (2 * batch_size + 1024) << size_class;
}

BatchPool::~BatchPool() {
  for (Batch* b : all_) {
    if (b->size_class != 0) core::unmap_region(b->memory, b->capacity);
    delete b;
  }
  core::unmap_region(region_, region_bytes_);
}

bool BatchPool::preallocate(bool large_pages) noexcept {
  const std::size_t cap = class_capacity(0, batch_size_);
  // One more than the budget holds: the spare that replaying parked
  // records may take (acquire()'s `replay`).
  const std::size_t count = std::max<std::size_t>(1, budget_ / cap) + 1;
  region_bytes_ = count * cap;
  region_ = static_cast<std::byte*>(core::map_region(region_bytes_, large_pages));
  if (region_ == nullptr) return false;
  try {
    all_.reserve(count + 64);
    for (std::size_t i = 0; i < count; ++i) {
      auto* b = new Batch;
      b->memory = region_ + i * cap;
      b->capacity = cap;
      b->size_class = 0;
      all_.push_back(b);
      b->next = free_[0];
      free_[0] = b;
    }
  } catch (...) {
    return false;
  }
  allocated_ = count * cap;
  return true;
}

Batch* BatchPool::acquire(std::uint8_t size_class, bool replay) noexcept {
  const std::size_t cap = class_capacity(size_class, batch_size_);
  if (in_use_ != 0 && in_use_ + cap > budget_ + (replay ? cap : 0)) return nullptr;
  Batch* b = free_[size_class];
  if (b != nullptr) {
    free_[size_class] = b->next;
  } else if (size_class == 0) {
    return nullptr;  // all made at create: buffer.memory is in use
  } else {
    // Growth: only until the pool holds what the traffic needs.
    b = new (std::nothrow) Batch;
    if (b == nullptr) return nullptr;
    b->memory = static_cast<std::byte*>(core::map_region(cap));
    if (b->memory == nullptr) {
      delete b;
      return nullptr;
    }
    b->capacity = cap;
    b->size_class = size_class;
    try {
      all_.push_back(b);
    } catch (...) {
      core::unmap_region(b->memory, cap);
      delete b;
      return nullptr;
    }
    allocated_ += cap;
  }
  b->next = nullptr;
  in_use_ += cap;
  return b;
}

void BatchPool::release(Batch* batch) noexcept {
  in_use_ -= batch->capacity;
  batch->writer.reset();
  batch->next = free_[batch->size_class];
  free_[batch->size_class] = batch;
}

}  // namespace ringkafka::accumulator
