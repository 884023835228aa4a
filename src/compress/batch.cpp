#include "compress/batch.h"

namespace ringkafka::compress {

Result seal_compressed(const wire::RecordBatchWriter& writer, Compressor& compressor,
                       std::span<std::byte> out) noexcept {
  if (out.size() < wire::kRecordBatchHeaderSize || !writer.ok()) {
    return {Status::kOutputTooSmall};
  }
  const Result records =
      compressor.compress(writer.records(), out.subspan(wire::kRecordBatchHeaderSize));
  if (!records.ok()) return records;
  const std::size_t size = wire::kRecordBatchHeaderSize + records.size;
  (void)writer.seal_as(compressor.codec(), out.first(size));
  return {Status::kOk, size};
}

}  // namespace ringkafka::compress
