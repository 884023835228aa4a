#include "ledger.h"

#include <cstdlib>
#include <map>
#include <thread>

#include <gtest/gtest.h>

namespace ringkafka::testing {

void Ledger::accepted(std::int32_t partition) {
  partition_.push_back(partition);
  reports_.push_back(0);
  report_.emplace_back();
}

Errc Ledger::produce(Producer& p, Topic t, std::int32_t partition) {
  const std::size_t i = sent();
  Errc e;
  while (is_full(e = p.produce(t, Bytes::null(), value(i),
                               {.opaque = opaque(i), .partition = partition})) ||
         e == Errc::kTimedOut) {
    if (poll(p) == 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  if (e == Errc::kOk) accepted(partition);
  return e;
}

std::size_t Ledger::poll(Producer& p) {
  DeliveryReport buf[256];
  const std::size_t got = p.poll(buf);
  for (std::size_t j = 0; j < got; ++j) {
    const auto n = reinterpret_cast<std::uintptr_t>(buf[j].opaque);
    if (n == 0 || n > partition_.size()) {
      ++stray_reports_;
      continue;
    }
    ++reports_[n - 1];
    report_[n - 1] = buf[j];
  }
  return got;
}

void Ledger::await(Producer& p, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::size_t done = 0;
    for (const int r : reports_) done += r > 0 ? 1 : 0;
    if (done == reports_.size()) return;
    if (poll(p) == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

Ledger::Figures Ledger::check(const std::vector<KcatRecord>& consumed, bool exactly_once) const {
  Figures f;
  f.sent = partition_.size();
  f.consumed = consumed.size();
  EXPECT_EQ(stray_reports_, 0U) << "reports for records never produced";
  std::vector<int> copies(f.sent, 0);
  std::map<std::int32_t, std::size_t> last;
  for (const auto& r : consumed) {
    const std::string v = r.value.value_or("");
    const auto i = static_cast<std::size_t>(std::strtoull(v.c_str() + (v.empty() ? 0 : 1), nullptr, 10));
    if (v.empty() || v[0] != 'r' || i >= f.sent) {
      ADD_FAILURE() << "consumed a record never produced: '" << v << "'";
      continue;
    }
    if (++copies[i] > 1) {
      ++f.duplicated;
      continue;  // a retried copy: order is judged on first copies
    }
    EXPECT_EQ(r.partition, partition_[i]) << v << " in the wrong partition";
    // Without idempotence a retry may land behind later requests (5 may be
    // in flight), as with Java and librdkafka.
    if (const auto it = last.find(r.partition); it != last.end() && exactly_once) {
      EXPECT_GT(i, it->second) << "partition " << r.partition << ": r" << i << " after r" << it->second;
    }
    last[r.partition] = i;
  }
  for (std::size_t i = 0; i < f.sent; ++i) {
    EXPECT_EQ(reports_[i], 1) << "record " << i << " has " << reports_[i] << " reports";
    if (reports_[i] != 1) continue;
    if (report_[i].ok()) {
      ++f.delivered;
      if (report_[i].offset >= 0) {
        EXPECT_EQ(report_[i].partition, partition_[i]) << "record " << i << "'s report";
      }
      if (copies[i] == 0) ++f.lost;
    } else {
      ++f.failed;
      if (exactly_once && copies[i] > 0) {
        ADD_FAILURE() << "record " << i << " was reported failed (" << report_[i].message
                      << ") but was consumed";
      }
    }
  }
  EXPECT_EQ(f.lost, 0U) << "records reported delivered that no consumer read";
  if (exactly_once) {
    EXPECT_EQ(f.duplicated, 0U);
  }
  return f;
}

}  // namespace ringkafka::testing
