// libFuzzer target for the RecordBatch reader the test broker uses on every
// batch it receives: header, CRC, records, headers.  Inputs may hold several
// batches back to back, as a Produce request's records field does.
//
// A random input almost never has a valid CRC, so the fuzzer would only
// explore the header checks; with the first byte odd, the target rewrites
// the CRC to match before reading, so the record parser gets explored too.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "wire/byte_order.h"
#include "wire/crc32c.h"
#include "wire/record_batch_reader.h"

namespace w = ringkafka::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool fix_crc = (data[0] & 1) != 0;
  std::vector<std::byte> in(reinterpret_cast<const std::byte*>(data + 1),
                            reinterpret_cast<const std::byte*>(data + size));
  std::size_t pos = 0;
  std::size_t checksum = 0;
  while (pos < in.size()) {
    std::span<std::byte> rest(in.data() + pos, in.size() - pos);
    if (fix_crc && rest.size() >= w::kRecordBatchHeaderSize) {
      const auto length = w::load_be<std::int32_t>(rest.data() + 8);
      const auto total = static_cast<std::size_t>(length) + 12;
      if (length >= 49 && total <= rest.size()) {
        w::store_be(rest.data() + 17, w::crc32c(rest.subspan(21, total - 21)));
      }
    }
    w::RecordBatchHeader h;
    std::span<const std::byte> records;
    if (w::read_record_batch(rest, h, records) != w::BatchStatus::kOk) break;
    if (h.compression() == w::Compression::kNone) {
      w::RecordIterator it(records, h.record_count);
      w::RecordView r;
      while (it.next(r)) {
        checksum += r.key.bytes.size() + r.value.bytes.size();
        (void)w::for_each_header(r, [&](std::string_view k, const w::NullableBytes& v) {
          checksum += k.size() + v.bytes.size();
        });
      }
      (void)it.status();
    }
    pos += h.total_size();
  }
  return checksum == 0xdeadbeef ? 1 : 0;  // keeps the reads observable
}
