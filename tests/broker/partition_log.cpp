// The partition log behind Produce: each batch checked (framing, CRC,
// records, compression) and, for an idempotent or transactional producer,
// its sequence, as a Kafka leader checks it; then stored.
#include <algorithm>

#include "broker_state.h"
#include "wire/record_batch_reader.h"

namespace ringkafka::test_broker {

ProducePartitionOut append(Partition& part, const std::string& where,
                           std::span<const std::byte> records, bool keep, Counters& counters,
                           std::vector<std::string>& errors, compress::Decompressor& decompressor,
                           std::vector<std::byte>& scratch, std::size_t window) {
  ProducePartitionOut out;
  out.log_start_offset = 0;
  // Validate every batch before storing any: a request is all or nothing
  // per partition, as on a real broker.
  struct Checked {
    wire::RecordBatchHeader header;
    std::span<const std::byte> bytes;
  };
  std::vector<Checked> checked;
  std::size_t pos = 0;
  while (pos < records.size()) {
    wire::RecordBatchHeader h;
    std::span<const std::byte> recs;
    auto status = wire::read_record_batch(records.subspan(pos), h, recs);
    std::string why;
    if (status == wire::BatchStatus::kOk && h.compression() != wire::Compression::kNone) {
      // Room for 64 times the input plus 1 MiB: ample for real batches; a
      // stream that would need more is refused, as a bomb.
      if (scratch.size() < records.size() * 64 + (1 << 20)) scratch.resize(records.size() * 64 + (1 << 20));
      const auto r = decompressor.decompress(h.compression(), recs, scratch);
      if (r.ok()) {
        recs = std::span<const std::byte>(scratch).first(r.size);
      } else {
        status = wire::BatchStatus::kBadRecords;
        why = std::string(" (") + compress::to_string(r.status) + ")";
      }
    }
    if (status == wire::BatchStatus::kOk) {
      wire::RecordIterator it(recs, h.record_count);
      wire::RecordView r;
      std::int32_t expected_delta = 0;
      while (it.next(r)) {
        if (r.offset_delta != expected_delta++) break;
      }
      status = it.status();
      if (status == wire::BatchStatus::kOk && expected_delta != h.record_count) {
        status = wire::BatchStatus::kBadRecords;
      }
    }
    if (status == wire::BatchStatus::kOk &&
        (h.record_count <= 0 || h.last_offset_delta != h.record_count - 1)) {
      status = wire::BatchStatus::kBadRecords;
    }
    if (status != wire::BatchStatus::kOk) {
      errors.push_back(where + ": " + std::string(wire::to_string(status)) + why);
      ++counters.rejected_batches;
      out.error_code = kCorruptMessage;
      return out;
    }
    checked.push_back({h, records.subspan(pos, h.total_size())});
    pos += h.total_size();
  }
  if (checked.empty()) {
    errors.push_back(where + ": no batch in the records field");
    out.error_code = kCorruptMessage;
    return out;
  }

  std::int64_t first_offset = -1;
  for (const auto& c : checked) {
    const auto& h = c.header;
    if (h.producer_id >= 0) {
      auto& ps = part.producers[h.producer_id];
      if (h.producer_epoch < ps.epoch) {
        out.error_code = kInvalidProducerEpoch;
        return out;
      }
      if (h.producer_epoch > ps.epoch) {  // a new or bumped producer starts over
        // A producer the partition has no state for may start at any
        // sequence, as on Kafka (whose state for it may have expired); a
        // bumped epoch starts at 0.
        const bool unknown = ps.epoch < 0;
        ps = ProducerState{};
        ps.epoch = h.producer_epoch;
        if (unknown) ps.next_sequence = h.base_sequence;
      }
      const auto dup = std::find_if(ps.recent.begin(), ps.recent.end(), [&](const auto& e) {
        return e.base_sequence == h.base_sequence && e.count == h.record_count;
      });
      if (dup != ps.recent.end()) {  // a retry of a batch already stored
        if (first_offset < 0) first_offset = dup->base_offset;
        // Kafka (UnifiedLog) answers it from the first batch's metadata: its
        // max timestamp as log_append_time, even on a CreateTime topic.
        out.log_append_time_ms = dup->max_timestamp;
        continue;
      }
      if (h.base_sequence != ps.next_sequence) {
        // Ahead of what is expected (modulo the wrap) is a gap: a batch
        // before it failed or is being retried, which pipelining makes
        // normal, and Kafka's answer is all there is to it.  Behind it, and
        // not one of the last batches, is a batch the producer sent again
        // under a sequence already used: recorded as an error.
        const auto ahead =
            static_cast<std::uint32_t>(static_cast<std::int64_t>(h.base_sequence) - ps.next_sequence) &
            0x7fffffffU;
        if (ahead >= (1U << 30)) {
          errors.push_back(where + ": sequence " + std::to_string(h.base_sequence) +
                           " is behind the expected " + std::to_string(ps.next_sequence));
        }
        out.error_code = kOutOfOrderSequence;
        return out;
      }
      ps.next_sequence = wire::sequence_after(h.base_sequence, h.record_count);
      ps.recent.push_back({h.base_sequence, h.record_count, part.high_watermark, h.max_timestamp});
      if (ps.recent.size() > window) ps.recent.pop_front();
    }
    StoredBatch stored;
    stored.base_offset = part.high_watermark;
    stored.header = h;
    if (keep) stored.bytes.assign(c.bytes.begin(), c.bytes.end());
    if (first_offset < 0) first_offset = part.high_watermark;
    part.high_watermark += h.record_count;
    part.batches.push_back(std::move(stored));
    ++counters.batches;
    counters.records += static_cast<std::uint64_t>(h.record_count);
  }
  out.base_offset = first_offset;
  return out;
}

}  // namespace ringkafka::test_broker
