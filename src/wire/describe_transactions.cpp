#include "wire/describe_transactions.h"

namespace ringkafka::wire {

namespace {
constexpr ApiKey kKey = ApiKey::kDescribeTransactions;
}

bool encode_describe_transactions_request(Writer& w, const RequestHeader& h,
                                          std::string_view transactional_id) noexcept {
  return encode_request(w, h, kKey, [&](MessageWriter& m) {
    m.array_length(1);
    m.string(transactional_id);
    m.tagged_fields();
  });
}

DecodeStatus decode_describe_transactions_response(std::span<const std::byte> body,
                                                   std::int16_t version,
                                                   DescribeTransactionsResponse& out) noexcept {
  if (!version_supported(kKey, version)) return DecodeStatus::kUnsupportedVersion;
  Reader r(body);
  MessageReader m(r, true);
  out = DescribeTransactionsResponse{};
  out.throttle_time_ms = r.int32();
  // error, id, state, timeout, start time, producer id, epoch, topics, tags
  const std::int32_t states = m.array_length(2 + 1 + 1 + 4 + 8 + 8 + 2 + 1 + 1);
  for (std::int32_t i = 0; r.ok() && i < states; ++i) {
    const std::int16_t error = r.int16();
    const std::string_view id = m.string();
    const std::string_view state = m.string();
    (void)r.int32();  // transaction_timeout_ms
    (void)r.int64();  // transaction_start_time_ms
    const std::int64_t producer_id = r.int64();
    const std::int16_t epoch = r.int16();
    const std::int32_t topics = m.array_length(1 + 1 + 1);
    for (std::int32_t t = 0; r.ok() && t < topics; ++t) {
      (void)m.string();
      const std::int32_t partitions = m.array_length(4);
      for (std::int32_t p = 0; r.ok() && p < partitions; ++p) (void)r.int32();
      m.skip_tagged_fields();
    }
    m.skip_tagged_fields();
    if (i == 0) {
      out.error_code = error;
      out.transactional_id = id;
      out.state = state;
      out.producer_id = producer_id;
      out.producer_epoch = epoch;
    }
  }
  m.skip_tagged_fields();
  return finish_decode(r);
}

bool transaction_completing(std::string_view state) noexcept {
  return state == "PrepareCommit" || state == "PrepareAbort" || state == "PrepareEpochFence";
}

}  // namespace ringkafka::wire
