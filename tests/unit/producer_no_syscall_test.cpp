// The producing side makes no system call: produce(), reserve/commit/abandon
// and poll() run on a
// thread under a seccomp filter that traps every call (syscall_trap.h), for
// each preset and each idle strategy, in three workloads:
//
//   paced      one record every 500 us, so the sender goes idle between
//              records (the case that used to pay an eventfd write);
//   burst      records back to back, polling whenever the queue is full;
//   full ring  records for a topic without metadata, until produce()
//              answers kQueueFull, and a few more calls after that.
//
// max.block.ms is 0 throughout: a full ring with max.block.ms > 0 is the one
// documented place where produce() may wait, because the caller asked to.
// The test broker and the sender run on unfiltered threads.  Skipped under
// the sanitizers, whose runtimes make system calls of their own (and wrap
// the signal handler) on the producing thread.
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <tuple>

#include <gtest/gtest.h>

#include "../broker/test_broker.h"
#include "make_producer.h"
#include "ringkafka/producer.h"
#include "syscall_trap.h"

#include "sanitized.h"

namespace rk = ringkafka;
namespace tb = ringkafka::test_broker;
using ringkafka::test::SyscallTrap;
using namespace std::chrono_literals;

namespace {

constexpr const char* kTopic = "orders";
constexpr const char* kHeld = "held";  // hidden from metadata while producing
constexpr int kPaced = 200;
constexpr int kBurst = 10000;

// What the filtered thread saw; written by it, read after its join.
struct Outcome {
  int delivered = 0;
  int failed = 0;
  int full_ring_calls = 0;  // produce() calls that answered kQueueFull on the held topic
  bool reports_complete = false;
  bool filter_installed = false;
  char filter_error[128] = {};
};

// Spins until `deadline`; steady_clock is read through the vDSO, no call.
void spin_until(std::chrono::steady_clock::time_point deadline) {
  while (std::chrono::steady_clock::now() < deadline) {
  }
}

// Polls until `want` reports arrived or 10 s passed, without sleeping.
void poll_until(rk::Producer& p, int want, Outcome& out) {
  rk::DeliveryReport buf[256];
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (out.delivered + out.failed < want && std::chrono::steady_clock::now() < deadline) {
    const std::size_t n = p.poll(buf);
    for (std::size_t i = 0; i < n; ++i) (buf[i].ok() ? out.delivered : out.failed) += 1;
  }
}

// The filtered thread's whole life: warm up, install the filter, run the
// three workloads, exit without returning into glibc.
void producing_thread(rk::Producer* p, rk::Topic topic, rk::Topic held, Outcome* out) {
  char value[1000];
  std::memset(value, 'v', sizeof value);
  const rk::Bytes small(value, 100);
  // Warm-up, unfiltered: this thread's slot is claimed on its first call.
  if (p->produce(topic, "warm", small) != rk::Errc::kOk) SyscallTrap::exit_thread();
  poll_until(*p, 1, *out);
  out->delivered = out->failed = 0;

  const std::string why = SyscallTrap::install();
  if (!why.empty()) {
    std::strncpy(out->filter_error, why.c_str(), sizeof out->filter_error - 1);
    SyscallTrap::exit_thread();
  }
  out->filter_installed = true;

  // Paced: the sender idles between records.
  auto next = std::chrono::steady_clock::now();
  int sent = 0;
  for (int i = 0; i < kPaced; ++i) {
    next += 500us;
    spin_until(next);
    if (p->produce(topic, "paced", small) == rk::Errc::kOk) ++sent;
    rk::DeliveryReport buf[16];
    const std::size_t n = p->poll(buf);
    for (std::size_t j = 0; j < n; ++j) (buf[j].ok() ? out->delivered : out->failed) += 1;
  }
  // Burst: as fast as the ring takes them; every other record written in
  // place (reserve/commit), and as many reservations abandoned.
  for (int i = 0; i < kBurst; ++i) {
    const auto one = [&] {
      if (i % 2 == 0) return p->produce(topic, "burst", small);
      rk::Reservation r;
      if (p->reserve(r, topic, 5, small.size) != rk::Errc::kOk) return rk::Errc::kQueueFull;
      p->abandon(r);
      const rk::Errc e = p->reserve(r, topic, 5, small.size);
      if (e != rk::Errc::kOk) return e;
      std::memcpy(r.key().data(), "burst", 5);
      std::memcpy(r.value().data(), value, small.size);
      p->commit(r);
      return rk::Errc::kOk;
    };
    while (one() != rk::Errc::kOk) {
      rk::DeliveryReport buf[256];
      const std::size_t n = p->poll(buf);
      for (std::size_t j = 0; j < n; ++j) (buf[j].ok() ? out->delivered : out->failed) += 1;
    }
    ++sent;
  }
  poll_until(*p, sent, *out);
  out->reports_complete = out->delivered + out->failed == sent;
  // Full ring: the held topic's records wait for metadata in the ring.
  const rk::Bytes large(value, sizeof value);
  for (int i = 0; i < 1'000'000 && out->full_ring_calls < 10; ++i) {
    if (p->produce(held, "full", large) == rk::Errc::kQueueFull) ++out->full_ring_calls;
  }
  SyscallTrap::exit_thread();
}

// The producing thread under its filter, and what it must have seen: no
// system call, every report, the held topic's records filling the ring.
void run_and_check(rk::Producer* p, rk::Topic topic, rk::Topic held) {
  SyscallTrap::reset();
  Outcome out;
  std::thread t(producing_thread, p, topic, held, &out);
  t.join();
  ASSERT_TRUE(out.filter_installed) << out.filter_error;
  EXPECT_EQ(SyscallTrap::count(), 0U) << "the producing thread made system calls: "
                                      << SyscallTrap::seen();
  EXPECT_TRUE(out.reports_complete) << out.delivered << " delivered, " << out.failed << " failed";
  EXPECT_EQ(out.failed, 0);
  EXPECT_EQ(out.full_ring_calls, 10) << "the held topic's records never filled the ring";
}

using Param = std::tuple<const char*, const char*>;  // preset, idle strategy ("" = preset's)

class NoSyscall : public ::testing::TestWithParam<Param> {};

TEST_P(NoSyscall, ProduceAndPollMakeNone) {
#ifdef RK_SANITIZED
  GTEST_SKIP() << "the sanitizer runtime makes system calls of its own";
#endif
  const auto [preset, strategy] = GetParam();
  tb::TestBroker broker{tb::Config{1, {{kTopic, 3}, {kHeld, 1}}, false, 100 << 20}};
  ASSERT_EQ(broker.start(), "");
  broker.hide_topic(kHeld, true);

  rk::Config config;
  if (std::strcmp(preset, "default") != 0) config = rk::Config::preset(preset).value();
  std::map<std::string, std::string> extra = {{"max.block.ms", "0"}};
  if (std::strlen(strategy) != 0) extra["sender.idle.strategy"] = strategy;
  auto p = tb::make_producer(config, broker.bootstrap(), extra);
  ASSERT_TRUE(p);
  const rk::Topic topic = p->topic(kTopic).value();
  const rk::Topic held = p->topic(kHeld).value();

  run_and_check(p.get(), topic, held);

  // Every record accepted for the held topic is still delivered.
  broker.hide_topic(kHeld, false);
  EXPECT_EQ(p->flush(30s), rk::Errc::kOk);
}

// Inside a transaction produce() and poll() stay as they are: a
// transactional producer's check is the same byte of refusal bits.
TEST(NoSyscallInATransaction, ProduceAndPollMakeNone) {
#ifdef RK_SANITIZED
  GTEST_SKIP() << "the sanitizer runtime makes system calls of its own";
#endif
  tb::TestBroker broker{tb::Config{1, {{kTopic, 3}, {kHeld, 1}}, false, 100 << 20}};
  ASSERT_EQ(broker.start(), "");
  broker.hide_topic(kHeld, true);
  // durable: a transactional producer needs acks=all, which low_latency
  // does not have; with the spinning sender low_latency would have.
  auto p = tb::make_producer(rk::Config::durable(), broker.bootstrap(),
                             {{"max.block.ms", "0"}, {"transactional.id", "tx-no-syscall"},
                              {"sender.idle.strategy", "spin"}});
  ASSERT_TRUE(p);
  const rk::Topic topic = p->topic(kTopic).value();
  const rk::Topic held = p->topic(kHeld).value();
  ASSERT_TRUE(p->init_transactions(10s).ok());
  ASSERT_TRUE(p->begin_transaction().ok());

  run_and_check(p.get(), topic, held);
  broker.hide_topic(kHeld, false);
  auto r = p->commit_transaction(30s);
  EXPECT_TRUE(r.ok()) << r.error().message;
}

std::string name(const ::testing::TestParamInfo<Param>& info) {
  const auto [preset, strategy] = info.param;
  return std::string(preset) + "_" + (std::strlen(strategy) == 0 ? "preset" : strategy);
}

INSTANTIATE_TEST_SUITE_P(
    PresetsAndStrategies, NoSyscall,
    ::testing::Combine(::testing::Values("default", "low_latency", "durable", "throughput"),
                       ::testing::Values("", "spin", "yield", "backoff")),
    name);

}  // namespace
