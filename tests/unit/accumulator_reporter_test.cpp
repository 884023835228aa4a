// The reporter without a sender: each report lands in its record's thread's
// queue (or the callback), with the fields the result gives, and
// `reported` counts it after it is there.
#include "accumulator/reporter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace rk = ringkafka;
namespace rs = ringkafka::accumulator;
namespace rh = ringkafka::handoff;

namespace {

// A Shared with `threads` slots; poll mode unless a callback is set.
struct Fixture {
  explicit Fixture(unsigned threads, rk::DeliveryCallback callback = nullptr, void* context = nullptr)
      : shared(settings_with(callback, context)) {
    rings.resize(threads * kRing);
    reports.resize(threads * kReports);
    for (unsigned i = 0; i < threads; ++i) {
      shared.slots.push_back(std::make_unique<rh::Slot>(
          std::span(rings.data() + i * kRing, kRing / 2), std::span(rings.data() + i * kRing + kRing / 2, kRing / 2),
          std::span(reports.data() + i * kReports, kReports), i));
    }
  }
  static rk::config::Settings settings_with(rk::DeliveryCallback callback, void* context) {
    rk::config::Settings s;
    s.callback = callback;
    s.callback_context = context;
    return s;
  }
  static constexpr std::size_t kRing = 8192;
  static constexpr std::size_t kReports = 64;
  std::vector<std::byte> rings;  // operator new: 16-byte aligned, as the rings need 8
  std::vector<rk::DeliveryReport> reports;
  rh::Shared shared;
};

std::vector<rk::DeliveryReport> drain(rh::Slot& slot) {
  std::vector<rk::DeliveryReport> out(64);
  out.resize(slot.reports.pop_into(out));
  return out;
}

TEST(AccumulatorReporter, ARecordWithoutABatchReachesItsThreadWithItsError) {
  Fixture f(2);
  rs::Reporter r(f.shared);
  int marker = 0;
  r.one(1, &marker, 3, 2, 1234, rk::Errc::kUnknownTopic, 3, "unknown topic");
  r.one(1, nullptr, 3, -1, 99, rk::Errc::kBroker, 17, "broker said no");
  EXPECT_EQ(f.shared.slots[0]->reported.load(), 0U);
  EXPECT_EQ(f.shared.slots[1]->reported.load(), 2U);
  const auto got = drain(*f.shared.slots[1]);
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].opaque, &marker);
  EXPECT_EQ(got[0].topic.index, 3U);
  EXPECT_EQ(got[0].partition, 2);
  EXPECT_EQ(got[0].timestamp_ms, 1234);
  EXPECT_EQ(got[0].error, rk::Errc::kUnknownTopic);
  EXPECT_EQ(got[0].kafka_error, 0) << "a Kafka code only with kBroker";
  EXPECT_STREQ(got[0].message, "unknown topic");
  EXPECT_EQ(got[1].kafka_error, 17);
}

TEST(AccumulatorReporter, EveryRecordOfABatchGetsItsOffsetAndGoesToItsOwnThread) {
  std::vector<rk::DeliveryReport> seen;
  auto callback = [](const rk::DeliveryReport& r, void* context) noexcept {
    static_cast<std::vector<rk::DeliveryReport>*>(context)->push_back(r);
  };
  for (const bool poll_mode : {true, false}) {
    SCOPED_TRACE(poll_mode ? "poll mode" : "callback mode");
    seen.clear();
    Fixture f(2, poll_mode ? nullptr : +callback, &seen);
    rs::Reporter r(f.shared);
    rs::BatchPool pool(16384, 1 << 20);
    ASSERT_TRUE(pool.preallocate(false));
    rs::Batch* b = pool.acquire(0);
    ASSERT_NE(b, nullptr);
    b->reset(5, 1, 0);
    int opaques[3];
    for (std::uint32_t i = 0; i < 3; ++i) {
      const rs::RecordMeta m{&opaques[i], 1000 + i, i % 2, 0};
      ASSERT_TRUE(b->append(1000 + i, rk::wire::NullableBytes::of("k"), rk::wire::NullableBytes::of("v"), {},
                            m, 16384));
    }
    b->sent_ns = 42;
    r.batch(*b, rk::Errc::kOk, 0, "", 700, -1, rk::Persistence::kPersisted);
    if (poll_mode) {
      for (auto* slot : {f.shared.slots[0].get(), f.shared.slots[1].get()}) {
        for (const auto& x : drain(*slot)) seen.push_back(x);
      }
    }
    ASSERT_EQ(seen.size(), 3U);
    EXPECT_EQ(f.shared.slots[0]->reported.load(), 2U);  // records 0 and 2
    EXPECT_EQ(f.shared.slots[1]->reported.load(), 1U);
    for (const auto& x : seen) {
      const auto i = static_cast<std::int64_t>(static_cast<int*>(x.opaque) - opaques);
      EXPECT_EQ(x.offset, 700 + i);
      EXPECT_EQ(x.timestamp_ms, 1000 + i) << "the record's own time without a log-append time";
      EXPECT_EQ(x.topic.index, 5U);
      EXPECT_EQ(x.partition, 1);
      EXPECT_EQ(x.sent_ns, 42);
      EXPECT_EQ(x.persisted, rk::Persistence::kPersisted);
      EXPECT_TRUE(x.ok());
    }
    // A failed batch: no offsets; a log-append time replaces the records'.
    r.batch(*b, rk::Errc::kMessageTimedOut, 0, "timed out", -1, 555,
            rk::Persistence::kPossiblyPersisted);
    if (poll_mode) {
      seen = drain(*f.shared.slots[0]);
    } else {
      seen.erase(seen.begin(), seen.begin() + 3);
    }
    ASSERT_GE(seen.size(), 2U);
    EXPECT_EQ(seen[0].offset, -1);
    EXPECT_EQ(seen[0].timestamp_ms, 555);
    EXPECT_EQ(seen[0].error, rk::Errc::kMessageTimedOut);
    EXPECT_EQ(seen[0].persisted, rk::Persistence::kPossiblyPersisted);
    pool.release(b);
  }
}

}  // namespace
