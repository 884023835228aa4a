#include "metrics/histogram.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

// Counts heap allocations in this test binary, to show record() makes none.
// The replacements pair malloc with free throughout; GCC 12 at -O2 with
// sanitizers still reports the inlined delete as mismatched, falsely.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<std::uint64_t> g_allocations{0};
}
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace m = ringkafka::metrics;

namespace {

TEST(Histogram, ValuesBelow2048AreExact) {
  m::Histogram h;
  for (std::uint64_t v = 1; v < 2048; ++v) h.record(v);
  EXPECT_EQ(h.count(), 2047U);
  EXPECT_EQ(h.min(), 1U);
  EXPECT_EQ(h.max(), 2047U);
  EXPECT_EQ(h.value_at_percentile(50), 1024U);
  EXPECT_EQ(h.value_at_percentile(0), 1U);
  EXPECT_EQ(h.value_at_percentile(100), 2047U);
  EXPECT_NEAR(h.mean(), 1024.0, 1e-9);
}

// Sub-buckets are narrower than 0.1% of their values (3 significant
// digits), and not needlessly narrower: about 1/2048 to 1/1024.
TEST(Histogram, ThreeSignificantDigitsEverywhere) {
  m::Histogram h;
  std::mt19937_64 rng(11);
  int fine_pairs = 0, equivalent_fine_pairs = 0;
  for (int i = 0; i < 200000; ++i) {
    const std::uint64_t v = (1 + rng() % 3'000'000'000'000ULL) >> (rng() % 40);
    ASSERT_FALSE(h.equivalent(v, v + v / 1000 + 1)) << v;
    if (v >= 1 << 14) {
      ++fine_pairs;
      equivalent_fine_pairs += h.equivalent(v, v + v / 4096) ? 1 : 0;
    }
  }
  EXPECT_GT(equivalent_fine_pairs, fine_pairs / 2);
}

TEST(Histogram, PercentilesOfAUniformRun) {
  m::Histogram h;
  for (std::uint64_t v = 1; v <= 1'000'000; ++v) h.record(v);
  const auto close = [](std::uint64_t got, double want) {
    return std::abs(static_cast<double>(got) - want) <= want * 0.001;
  };
  EXPECT_TRUE(close(h.value_at_percentile(50), 500000)) << h.value_at_percentile(50);
  EXPECT_TRUE(close(h.value_at_percentile(99), 990000)) << h.value_at_percentile(99);
  EXPECT_TRUE(close(h.value_at_percentile(99.9), 999000)) << h.value_at_percentile(99.9);
  EXPECT_EQ(h.value_at_percentile(100), 1'000'000U);
  EXPECT_NEAR(h.mean(), 500000.5, 500000.5 * 0.001);
  EXPECT_NEAR(h.stddev(), 288675.1, 288675.1 * 0.01);
}

TEST(Histogram, ClampsPastTheHighestTrackableValue) {
  m::Histogram h(1'000'000);
  h.record(5'000'000);
  h.record(0);
  EXPECT_EQ(h.clamped(), 1U);
  EXPECT_EQ(h.count(), 2U);
  EXPECT_EQ(h.min(), 1U) << "zero is recorded as 1";
  EXPECT_TRUE(h.equivalent(h.max(), 1'000'000));
}

TEST(Histogram, AddingPerThreadHistogramsEqualsOneHistogram) {
  m::Histogram a, b, all;
  std::mt19937 rng(3);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t v = 1 + rng() % 10'000'000;
    ((i & 1) != 0 ? a : b).record(v);
    all.record(v);
  }
  a.add(b);
  EXPECT_EQ(a.count(), all.count());
  for (double p : {0.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    EXPECT_EQ(a.value_at_percentile(p), all.value_at_percentile(p)) << p;
  }
  a.reset();
  EXPECT_EQ(a.count(), 0U);
  EXPECT_EQ(a.value_at_percentile(50), 0U);
}

TEST(Histogram, RecordingAllocatesNothing) {
  m::Histogram h;  // allocates its counters here, once
  const auto before = g_allocations.load();
  std::mt19937_64 rng(1);
  for (int i = 0; i < 1'000'000; ++i) h.record(rng() % 100'000'000'000ULL);
  EXPECT_EQ(g_allocations.load(), before);
  EXPECT_EQ(h.count(), 1'000'000U);
}

TEST(Histogram, PrintsHdrHistogramsPercentileDistribution) {
  m::Histogram h;
  for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v * 1000);  // 1 us .. 100 ms in ns
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  h.print_percentiles(f, 1000.0);
  std::rewind(f);
  std::string text;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, f) != nullptr) text += buf;
  std::fclose(f);

  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  EXPECT_NE(line.find("Value"), std::string::npos);
  EXPECT_NE(line.find("1/(1-Percentile)"), std::string::npos);
  std::getline(lines, line);
  EXPECT_TRUE(line.empty());
  double last_value = 0, last_percentile = -1;
  int rows = 0;
  bool saw_end = false;
  while (std::getline(lines, line) && line.rfind("#[", 0) != 0) {
    double value = 0, percentile = 0;
    unsigned long long count = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "%lf %lf %llu", &value, &percentile, &count), 3) << line;
    EXPECT_GE(value, last_value);
    EXPECT_GT(percentile, last_percentile);
    last_value = value;
    last_percentile = percentile;
    saw_end = percentile == 1.0;
    ++rows;
  }
  EXPECT_TRUE(saw_end) << "the last row is the 100th percentile";
  EXPECT_GT(rows, 50) << "the tail gets rows of its own";
  EXPECT_NEAR(last_value, 100000.0, 100.0) << "microseconds";
  EXPECT_NE(text.find("#[Mean    ="), std::string::npos);
  EXPECT_NE(text.find("Total count    =       100000]"), std::string::npos) << text;
}

}  // namespace
