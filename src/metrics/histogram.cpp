#include "metrics/histogram.h"

#include <algorithm>
#include <cmath>

namespace ringkafka::metrics {

Histogram::Histogram(std::uint64_t highest_trackable)
    : highest_(std::max<std::uint64_t>(highest_trackable, kSubBucketCount)),
      counts_(index_of(highest_) + 1, 0) {}

std::uint64_t Histogram::lowest_of(std::size_t index) noexcept {
  if (index < kSubBucketCount) return index;
  const unsigned bucket = static_cast<unsigned>(index >> kSubBucketHalfMagnitude) - 1;
  const std::uint64_t sub = index - (static_cast<std::uint64_t>(bucket) << kSubBucketHalfMagnitude);
  return sub << bucket;
}

std::uint64_t Histogram::highest_equivalent(std::size_t index) noexcept {
  if (index < kSubBucketCount) return index;
  const unsigned bucket = static_cast<unsigned>(index >> kSubBucketHalfMagnitude) - 1;
  return lowest_of(index) + (std::uint64_t{1} << bucket) - 1;
}

void Histogram::add(const Histogram& other) {
  if (other.counts_.size() != counts_.size()) return;  // different ranges: caller's error
  for (std::size_t i = other.first_used(); i < other.end_used(); ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  sum_ += other.sum_;
  clamped_ += other.clamped_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

// Only the counters between the smallest and the largest value can be set:
// the statistics' windows reset and read a few hundred, not 28,000.
std::size_t Histogram::first_used() const noexcept { return total_ == 0 ? 0 : index_of(min_); }
std::size_t Histogram::end_used() const noexcept { return total_ == 0 ? 0 : index_of(max_) + 1; }

void Histogram::reset() noexcept {
  std::fill(counts_.begin() + static_cast<std::ptrdiff_t>(first_used()),
            counts_.begin() + static_cast<std::ptrdiff_t>(end_used()), 0);
  total_ = sum_ = clamped_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
}

double Histogram::mean() const noexcept {
  if (total_ == 0) return 0;
  double sum = 0;
  for (std::size_t i = first_used(); i < end_used(); ++i) {
    if (counts_[i] == 0) continue;
    // The middle of the sub-bucket, as HdrHistogram reports means.
    const double mid = (static_cast<double>(lowest_of(i)) + static_cast<double>(highest_equivalent(i))) / 2;
    sum += mid * static_cast<double>(counts_[i]);
  }
  return sum / static_cast<double>(total_);
}

double Histogram::stddev() const noexcept {
  if (total_ == 0) return 0;
  const double m = mean();
  double sq = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const double mid = (static_cast<double>(lowest_of(i)) + static_cast<double>(highest_equivalent(i))) / 2;
    sq += (mid - m) * (mid - m) * static_cast<double>(counts_[i]);
  }
  return std::sqrt(sq / static_cast<double>(total_));
}

std::uint64_t Histogram::value_at_percentile(double percentile) const noexcept {
  if (total_ == 0) return 0;
  const double p = std::clamp(percentile, 0.0, 100.0);
  // At least one value, so the 0th percentile is the minimum.
  const auto wanted = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total_))));
  std::uint64_t seen = 0;
  for (std::size_t i = first_used(); i < end_used(); ++i) {
    seen += counts_[i];
    if (seen >= wanted) return std::min(highest_equivalent(i), max_);
  }
  return max_;
}

void Histogram::percentiles(std::span<const double> ps, std::span<std::uint64_t> out) const noexcept {
  // One pass for every percentile, in ascending order as given.
  std::size_t next = 0;
  std::uint64_t seen = 0;
  const auto wanted_at = [&](double p) {
    return std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 *
                                                static_cast<double>(total_))));
  };
  for (std::size_t i = first_used(); i < end_used() && next < ps.size(); ++i) {
    seen += counts_[i];
    while (next < ps.size() && next < out.size() && seen >= wanted_at(ps[next])) {
      out[next++] = std::min(highest_equivalent(i), max_);
    }
  }
  for (; next < out.size(); ++next) out[next] = total_ == 0 ? 0 : max_;
}

void Histogram::print_percentiles(std::FILE* out, double unit_scale) const {
  std::fprintf(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
               "1/(1-Percentile)");
  if (total_ > 0) {
    // Report levels: 5 ticks per halving of the distance to 100%, so the
    // tail (99%, 99.9%, ...) gets as many lines as the body.
    constexpr int kTicksPerHalfDistance = 5;
    double level = 0;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      if (counts_[i] == 0) continue;
      seen += counts_[i];
      const double reached = 100.0 * static_cast<double>(seen) / static_cast<double>(total_);
      const double value = static_cast<double>(std::min(highest_equivalent(i), max_)) / unit_scale;
      while (level <= reached && seen < total_) {
        std::fprintf(out, "%12.3f %2.12f %10llu %14.2f\n", value, level / 100.0,
                     static_cast<unsigned long long>(seen), 1.0 / (1.0 - level / 100.0));
        const double halvings = std::floor(std::log2(100.0 / (100.0 - level))) + 1;
        level += 100.0 / (kTicksPerHalfDistance * std::pow(2.0, halvings));
      }
      if (seen == total_) {
        std::fprintf(out, "%12.3f %2.12f %10llu\n", value, 1.0,
                     static_cast<unsigned long long>(seen));
      }
    }
  }
  std::fprintf(out, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean() / unit_scale,
               stddev() / unit_scale);
  std::fprintf(out, "#[Max     = %12.3f, Total count    = %12llu]\n",
               static_cast<double>(max_) / unit_scale, static_cast<unsigned long long>(total_));
  const std::size_t buckets = (counts_.size() >> kSubBucketHalfMagnitude);
  std::fprintf(out, "#[Buckets = %12zu, SubBuckets     = %12llu]\n", buckets,
               static_cast<unsigned long long>(kSubBucketCount));
}

}  // namespace ringkafka::metrics
