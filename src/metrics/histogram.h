// A log-linear latency histogram in the manner of HdrHistogram: values from
// 1 to a fixed maximum, each recorded with 3 significant decimal digits
// (relative error below 0.1%), in counters allocated once at construction so
// that record() never allocates, locks or branches on more than a clamp.
//
// Layout: 2048 linear sub-buckets per power of two.  Values below 2048 are
// exact; above, a bucket per doubling keeps 1024 sub-buckets of width
// 2^(bucket), so the width is always under 1/1024 of the value.
//
//   counts index:  [0 .. 2047]            value exact
//                  [2048 .. 3071]         2048..4095 in steps of 2
//                  [3072 .. 4095]         4096..8191 in steps of 4 ...
//
// One histogram belongs to one thread; merge per-thread histograms with
// add() after the run.  print_percentiles() writes HdrHistogram's
// "percentile distribution" text, which HdrHistogram's plotters read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <vector>

namespace ringkafka::metrics {

class Histogram {
 public:
  // Tracks values in [1, highest_trackable]; larger ones are recorded as
  // highest_trackable and counted in clamped().  Zero is recorded as 1.
  explicit Histogram(std::uint64_t highest_trackable = 3'600'000'000'000ULL);

  void record(std::uint64_t value) noexcept { record(value, 1); }
  // `value` seen `times` times (a batch's records, which share a latency).
  void record(std::uint64_t value, std::uint64_t times) noexcept {
    if (times == 0) return;
    if (value > highest_) {
      value = highest_;
      clamped_ += times;
    }
    if (value == 0) value = 1;
    counts_[index_of(value)] += times;
    total_ += times;
    sum_ += value * times;
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
  }

  void add(const Histogram& other);  // same highest_trackable required
  void reset() noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return total_; }
  // The values recorded, added (as recorded: clamped, 0 as 1).
  [[nodiscard]] std::uint64_t sum() const noexcept { return sum_; }
  [[nodiscard]] std::uint64_t clamped() const noexcept { return clamped_; }
  [[nodiscard]] std::uint64_t min() const noexcept { return total_ == 0 ? 0 : min_; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
  [[nodiscard]] double mean() const noexcept;
  [[nodiscard]] double stddev() const noexcept;

  // The smallest recorded value v such that `percentile` percent of the
  // values are <= v, reported as the highest value equivalent to v (the top
  // of its sub-bucket), as HdrHistogram does; 0 when empty.
  [[nodiscard]] std::uint64_t value_at_percentile(double percentile) const noexcept;
  // value_at_percentile of each of `ps` (ascending) into `out`, in one pass.
  void percentiles(std::span<const double> ps, std::span<std::uint64_t> out) const noexcept;

  // HdrHistogram's percentile distribution: values divided by `unit_scale`
  // (1000 to print microseconds from nanoseconds), 5 ticks per half distance.
  void print_percentiles(std::FILE* out, double unit_scale = 1.0) const;

  // Two values share a sub-bucket (they are equivalent at this precision).
  [[nodiscard]] bool equivalent(std::uint64_t a, std::uint64_t b) const noexcept {
    return index_of(a) == index_of(b);
  }

 private:
  static constexpr unsigned kSubBucketHalfMagnitude = 10;  // 1024
  static constexpr std::uint64_t kSubBucketCount = 2048;   // >= 2 * 10^3
  static constexpr std::uint64_t kSubBucketMask = kSubBucketCount - 1;

  static std::size_t index_of(std::uint64_t v) noexcept {
    // Bucket: how many doublings past the first 2048 values.
    const unsigned bucket = 64U - static_cast<unsigned>(__builtin_clzll(v | kSubBucketMask)) -
                            (kSubBucketHalfMagnitude + 1);
    const std::uint64_t sub = v >> bucket;  // in [1024, 2048) for bucket > 0
    return static_cast<std::size_t>((static_cast<std::uint64_t>(bucket) << kSubBucketHalfMagnitude) + sub);
  }
  static std::uint64_t lowest_of(std::size_t index) noexcept;
  [[nodiscard]] std::size_t first_used() const noexcept;
  [[nodiscard]] std::size_t end_used() const noexcept;
  static std::uint64_t highest_equivalent(std::size_t index) noexcept;

  std::uint64_t highest_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t clamped_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

}  // namespace ringkafka::metrics
