#include "sender/txn_partitions.h"

#include <algorithm>


namespace ringkafka::sender {
namespace {

using accumulator::TxnMembership;

}  // namespace

void TxnPartitions::setup() {
  pending_.reserve(kMaxPerRequest);
  partition_scratch_.reserve(kMaxPerRequest);
  topic_scratch_.reserve(kMaxPerRequest);
}

bool TxnPartitions::encode(wire::Writer& w, const wire::RequestHeader& h,
                           std::string_view transactional_id, std::int64_t producer_id,
                           std::int16_t producer_epoch) noexcept {
  pending_.clear();
  bool more = false;
  for (const auto& [ti, pi] : acc_.active()) {
    const accumulator::PartitionState& ps = acc_.topics()[ti].partitions[static_cast<std::size_t>(pi)];
    if (ps.txn != TxnMembership::kOut) continue;
    if (pending_.size() == kMaxPerRequest) {
      more = true;
      break;
    }
    pending_.emplace_back(ti, pi);  // within the reserved capacity
  }
  gate_.adds_wanted = more;
  if (pending_.empty()) return false;
  // Grouped by topic, as the request nests them (std::sort works in place).
  std::sort(pending_.begin(), pending_.end());
  partition_scratch_.clear();
  topic_scratch_.clear();
  for (const auto& tp : pending_) partition_scratch_.push_back(tp.second);
  for (std::size_t i = 0; i < pending_.size();) {
    std::size_t j = i;
    while (j < pending_.size() && pending_[j].first == pending_[i].first) ++j;
    topic_scratch_.push_back({acc_.topics()[pending_[i].first].name,
                              std::span<const std::int32_t>(partition_scratch_).subspan(i, j - i)});
    i = j;
  }
  const wire::AddPartitionsToTxnRequest req{transactional_id, producer_id, producer_epoch,
                                            topic_scratch_};
  if (!wire::encode_add_partitions_to_txn_request(w, h, req)) {
    pending_.clear();
    return false;
  }
  for (const auto& [ti, pi] : pending_) {
    acc_.topics()[ti].partitions[static_cast<std::size_t>(pi)].txn = TxnMembership::kAdding;
  }
  return true;
}

TxnPartitions::Outcome TxnPartitions::on_answer(std::span<const std::byte> body,
                                                std::int16_t version) noexcept {
  struct Apply final : wire::AddPartitionsToTxnVisitor {
    explicit Apply(TxnPartitions& p) noexcept : self(p) {}
    void on_partition(std::string_view topic, std::int32_t partition,
                      std::int16_t error_code) noexcept override {
      for (const auto& [ti, pi] : self.pending_) {
        accumulator::TopicInfo& t = self.acc_.topics()[ti];
        if (pi != partition || t.name != topic) continue;
        accumulator::PartitionState& ps = t.partitions[static_cast<std::size_t>(pi)];
        if (ps.txn != TxnMembership::kAdding) return;  // named twice
        const TxnVerdict v = txn_verdict(TxnRequest::kAddPartitions, error_code, false);
        if (v == TxnVerdict::kDone) {
          ps.txn = TxnMembership::kIn;
          ++self.added_;
        } else if (v == TxnVerdict::kAbortable) {
          ps.txn = TxnMembership::kRefused;
          if (self.refused_ == 0) self.refused_ = error_code;
        } else {
          ps.txn = TxnMembership::kOut;
        }
        if (worse(v, out.verdict) != out.verdict) out = {v, error_code};
        return;
      }
    }
    TxnPartitions& self;
    Outcome out;
  } apply(*this);
  std::int32_t throttle_ms = 0;
  if (wire::decode_add_partitions_to_txn_response(body, version, throttle_ms, apply) !=
      wire::DecodeStatus::kOk) {
    apply.out = {TxnVerdict::kRetry, -1};
  }
  // Partitions the answer did not name go in the next request.
  on_lost();
  return apply.out;
}

void TxnPartitions::on_lost() noexcept {
  for (const auto& [ti, pi] : pending_) {
    accumulator::PartitionState& ps = acc_.topics()[ti].partitions[static_cast<std::size_t>(pi)];
    if (ps.txn == TxnMembership::kAdding) {
      ps.txn = TxnMembership::kOut;
      gate_.adds_wanted = true;
    }
  }
  pending_.clear();
}

void TxnPartitions::reset() noexcept {
  for (accumulator::TopicInfo& t : acc_.topics()) {
    for (accumulator::PartitionState& ps : t.partitions) ps.txn = TxnMembership::kOut;
  }
  pending_.clear();
  added_ = 0;
  refused_ = 0;
  gate_.adds_wanted = false;
}

}  // namespace ringkafka::sender
