// A RecordBatch v2 sealed with its records section compressed: the header
// stays as the writer made it, uncompressed; the codec goes into attribute
// bits 0-2, and batchLength and the CRC cover the compressed bytes.
//
//   writer's buffer   [header, not yet filled][records .................]
//                                               |  compressor
//                                               v
//   out               [header, sealed        ][compressed records]
#pragma once

#include <cstddef>
#include <span>

#include "compress/codec.h"
#include "wire/record_batch.h"

namespace ringkafka::compress {

// The largest batch seal_compressed() can write for what `writer` holds.
[[nodiscard]] inline std::size_t compressed_batch_bound(const wire::RecordBatchWriter& writer,
                                                        const Compressor& compressor) noexcept {
  return wire::kRecordBatchHeaderSize + compressor.bound(writer.records().size());
}

// Writes `writer`'s batch into the front of `out` with its records
// compressed by `compressor` (whose codec lands in the attributes); on
// success the batch is out.first(result.size).  The writer's own buffer is
// only read; `out` must not overlap it.  kOutputTooSmall when the batch
// does not fit (out of compressed_batch_bound() size always does) or the
// writer had no room for even a header; other statuses as
// Compressor::compress().  The writer is not changed and can
// still be sealed uncompressed.
Result seal_compressed(const wire::RecordBatchWriter& writer, Compressor& compressor,
                       std::span<std::byte> out) noexcept;

}  // namespace ringkafka::compress
