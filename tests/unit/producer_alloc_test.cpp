// Steady state allocates nothing: once a producer is warm, producing,
// batching, sending and reporting hundreds of thousands of records makes no
// heap allocation on any thread of this process.
//
// The test replaces malloc and friends and every operator new for the whole
// process and counts calls while a window is open; the broker is
// ringkafka-test-broker in a child process, so that its allocations are not
// ours.  operator new is replaced on its own rather than trusted to reach
// malloc: a library that brings its own operator new (mimalloc's shared
// library did, when ringkafka linked it) would otherwise bypass the count.
// Batch buffers come from mmap (core/region.h), not the heap: those are
// counted by the producer's own statistics.
//
// Under AddressSanitizer, which owns malloc itself, the test is skipped.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <new>
#include <thread>

#include <gtest/gtest.h>

#include "ringkafka/producer.h"

#include "sanitized.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<std::uint64_t> g_allocations{0};
inline void count() noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

#ifndef RK_SANITIZED
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) {
  count();
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
  count();
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
  count();
  return __libc_realloc(p, n);
}
void* memalign(std::size_t align, std::size_t n) {
  count();
  return __libc_memalign(align, n);
}
void* aligned_alloc(std::size_t align, std::size_t n) {
  count();
  return __libc_memalign(align, n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) {
  count();
  *out = __libc_memalign(align, n);
  return *out == nullptr ? ENOMEM : 0;
}
void free(void* p) { __libc_free(p); }
}

// Every replaceable operator new, counted once (straight to glibc, not
// through the counting malloc above).  The deletes pair with them.
namespace {
void* counted_new(std::size_t n) {
  count();
  void* p = __libc_malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* counted_new_aligned(std::size_t n, std::align_val_t a) {
  count();
  void* p = __libc_memalign(static_cast<std::size_t>(a), n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace
void* operator new(std::size_t n) { return counted_new(n); }
void* operator new[](std::size_t n) { return counted_new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  count();
  return __libc_malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  count();
  return __libc_malloc(n == 0 ? 1 : n);
}
void* operator new(std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void operator delete(void* p) noexcept { __libc_free(p); }
void operator delete[](void* p) noexcept { __libc_free(p); }
void operator delete(void* p, std::size_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::size_t) noexcept { __libc_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { __libc_free(p); }
#endif

namespace rk = ringkafka;
using namespace std::chrono_literals;

namespace {

// ringkafka-test-broker as a child process.
class BrokerProcess {
 public:
  explicit BrokerProcess(const char* exe) {
    int out[2];
    if (pipe(out) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    char* argv[] = {const_cast<char*>(exe), const_cast<char*>("--topic"),
                    const_cast<char*>("alloc:4"), nullptr};
    if (posix_spawn(&pid_, exe, &fa, nullptr, argv, environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    char line[256] = {};
    std::size_t n = 0;
    while (n + 1 < sizeof line && read(out[0], line + n, 1) == 1 && line[n] != '\n') ++n;
    line[n] = '\0';
    bootstrap_ = line;
    close(out[0]);
  }
  ~BrokerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  [[nodiscard]] const std::string& bootstrap() const { return bootstrap_; }

 private:
  pid_t pid_ = -1;
  std::string bootstrap_;
};

const char* g_broker_exe = nullptr;

// Produces `n` records and polls until every report is in; false on any
// error (no gtest assertion inside: it would allocate in the window).
[[maybe_unused]] bool produce_and_drain(rk::Producer& p, rk::Topic t, int n, int* errors) {
  char key[16];
  char value[100];
  std::memset(value, 'v', sizeof value);
  const rk::Header headers[] = {{"trace", rk::Bytes("abc", 3)}};
  rk::DeliveryReport buf[256];
  int reported = 0;
  for (int i = 0; i < n; ++i) {
    std::memcpy(key, &i, sizeof i);
    std::memset(key + sizeof i, 'k', sizeof key - sizeof i);
    while (p.produce(t, rk::Bytes(key, sizeof key), rk::Bytes(value, sizeof value), {.headers = headers}) !=
           rk::Errc::kOk) {
      const std::size_t got = p.poll(buf);
      for (std::size_t j = 0; j < got; ++j) *errors += buf[j].ok() ? 0 : 1;
      reported += static_cast<int>(got);
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (reported < n && std::chrono::steady_clock::now() < deadline) {
    const std::size_t got = p.poll(buf);
    for (std::size_t j = 0; j < got; ++j) *errors += buf[j].ok() ? 0 : 1;
    reported += static_cast<int>(got);
    if (got == 0) std::this_thread::sleep_for(50us);
  }
  return reported == n;
}

struct Case {
  const char* name;
  const char* preset;
  const char* compression;
  // In transactions: begin, then commit and begin again between the
  // counted rounds (the calls are inside the window too).
  bool transactional = false;
  // Statistics every 10 ms to a callback, and a thread reading them with
  // Producer::statistics() throughout the window.
  bool statistics = false;
};

std::atomic<std::uint64_t> g_snapshots{0};
[[maybe_unused]] void on_statistics(const rk::Statistics& s, void*) noexcept {
  g_snapshots.fetch_add(s.records_delivered != 0 ? 1 : 0, std::memory_order_relaxed);
}

class AllocationTest : public ::testing::TestWithParam<Case> {};

TEST_P(AllocationTest, SteadyStateMakesNoHeapAllocation) {
#ifdef RK_SANITIZED
  GTEST_SKIP() << "the sanitizer owns malloc";
#else
  ASSERT_NE(g_broker_exe, nullptr);
  BrokerProcess broker(g_broker_exe);
  ASSERT_FALSE(broker.bootstrap().empty());
  auto config = rk::Config::preset(GetParam().preset).value();
  config.bootstrap_servers(broker.bootstrap());
  ASSERT_TRUE(config.set("compression.type", GetParam().compression).ok());
  const bool txn = GetParam().transactional;
  if (txn) {
    ASSERT_TRUE(config.set("transactional.id", "alloc-tx").ok());
  }
  if (GetParam().statistics) {
    ASSERT_TRUE(config.set("statistics.interval.ms", "10").ok());
    config.statistics_callback(on_statistics);
  }
  auto created = rk::Producer::create(config);
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto& p = *created.value();
  const auto topic = p.topic("alloc").value();
  if (txn) {
    ASSERT_TRUE(p.init_transactions(10s).ok());
    ASSERT_TRUE(p.begin_transaction().ok());
  }

  int errors = 0;
  ASSERT_TRUE(produce_and_drain(p, topic, 200000, &errors));  // warm up
  ASSERT_EQ(errors, 0);
  const auto before = p.stats();
  // A reader of snapshots, its Statistics grown once before the window.
  std::atomic<bool> reading{GetParam().statistics};
  std::atomic<std::uint64_t> read{0};
  rk::Statistics snapshot;
  if (reading) {
    ASSERT_EQ(p.statistics(snapshot), rk::Errc::kOk);
  }
  std::thread reader([&] {
    while (reading.load()) {
      if (p.statistics(snapshot) == rk::Errc::kOk) read.fetch_add(1);
      std::this_thread::sleep_for(5ms);
    }
  });

  g_allocations = 0;
  g_counting = true;
  bool all = true;
  bool ended = true;
  for (int round = 0; round < 3; ++round) {
    all = produce_and_drain(p, topic, 100000, &errors) && all;
    if (txn) ended = p.commit_transaction(10s).ok() && p.begin_transaction().ok() && ended;
  }
  g_counting = false;
  reading = false;
  reader.join();
  EXPECT_TRUE(ended) << "a commit or begin failed";
  if (GetParam().statistics) {
    EXPECT_GT(read.load(), 0U) << "no snapshot was read in the window";
    EXPECT_GT(g_snapshots.load(), 0U) << "no snapshot reached the callback";
  }

  const auto after = p.stats();
  EXPECT_TRUE(all);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(g_allocations.load(), 0U) << "heap allocations in steady state";
  EXPECT_EQ(after.batch_buffers, before.batch_buffers) << "batch buffers grew in steady state";
  EXPECT_GT(after.produce_requests, before.produce_requests);
#endif
}

INSTANTIATE_TEST_SUITE_P(
    Presets, AllocationTest,
    ::testing::Values(Case{"low_latency", "low_latency", "none"},
                      Case{"durable", "durable", "none"},
                      Case{"throughput_lz4", "throughput", "lz4"},
                      Case{"throughput_zstd", "throughput", "zstd"},
                      Case{"throughput_gzip", "throughput", "gzip"},
                      Case{"durable_transactions", "durable", "none", true},
                      Case{"durable_zstd_transactions", "durable", "zstd", true},
                      Case{"durable_statistics", "durable", "none", false, true},
                      Case{"throughput_lz4_statistics", "throughput", "lz4", false, true}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc > 1) g_broker_exe = argv[1];
  return RUN_ALL_TESTS();
}
