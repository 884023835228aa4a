#include "metrics/summary.h"

#include <array>

namespace ringkafka::metrics {

void summarize(const Histogram& h, LatencyTotals& totals, LatencySummary& out) noexcept {
  totals.count += h.count();
  totals.sum_ns += h.sum();
  out = {};
  out.total_count = totals.count;
  out.total_ns = totals.sum_ns;
  out.count = h.count();
  if (out.count == 0) return;
  static constexpr std::array<double, 4> kAt = {50.0, 90.0, 99.0, 99.9};
  std::array<std::uint64_t, kAt.size()> ns{};
  h.percentiles(kAt, ns);
  out.mean_ns = h.mean();
  out.min_ns = h.min();
  out.p50_ns = ns[0];
  out.p90_ns = ns[1];
  out.p99_ns = ns[2];
  out.p999_ns = ns[3];
  out.max_ns = h.max();
}

}  // namespace ringkafka::metrics
