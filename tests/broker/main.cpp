// ringkafka-test-broker: the test broker as a process, a sink where the
// client, not Kafka, is the limit (benchmarks), or a peer to poke by hand.
//
//   ringkafka-test-broker [--brokers N] --topic NAME:PARTITIONS [...] [--keep-batches]
//                         [--stall MS:EVERY_MS]
//
// Prints the bootstrap string on stdout, serves until SIGINT or SIGTERM, then
// prints what it received on stderr.  Batches are checked and counted, and
// kept only with --keep-batches.  --stall stops every node reading requests
// for MS milliseconds every EVERY_MS, the same for any client, as a busy
// broker's pauses are: the ack-latency comparison uses it to see how each
// client recovers from one, without Kafka's own noise.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include <unistd.h>

#include "test_broker.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

int usage(const char* why) {
  std::fprintf(stderr,
               "ringkafka-test-broker: %s\n"
               "usage: ringkafka-test-broker [--brokers N] --topic NAME:PARTITIONS [...] "
               "[--keep-batches] [--stall MS:EVERY_MS]\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  ringkafka::test_broker::Config config;
  config.keep_batches = false;
  int stall_ms = 0;
  int stall_every_ms = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--brokers" && i + 1 < argc) {
      config.brokers = std::atoi(argv[++i]);
      if (config.brokers < 1 || config.brokers > 64) return usage("--brokers takes 1 to 64");
    } else if (arg == "--topic" && i + 1 < argc) {
      const std::string spec = argv[++i];
      const auto colon = spec.rfind(':');
      const int partitions = colon == std::string::npos ? 0 : std::atoi(spec.c_str() + colon + 1);
      if (colon == 0 || partitions < 1) return usage("--topic takes NAME:PARTITIONS");
      config.topics.push_back({spec.substr(0, colon), partitions});
    } else if (arg == "--keep-batches") {
      config.keep_batches = true;
    } else if (arg == "--stall" && i + 1 < argc) {
      char tail = 0;
      if (std::sscanf(argv[++i], "%d:%d%c", &stall_ms, &stall_every_ms, &tail) != 2 ||
          stall_ms < 1 || stall_every_ms <= stall_ms) {
        return usage("--stall takes MS:EVERY_MS, with 0 < MS < EVERY_MS");
      }
    } else {
      return usage(("unknown argument " + arg).c_str());
    }
  }
  if (config.topics.empty()) return usage("at least one --topic is needed");

  ringkafka::test_broker::TestBroker broker(config);
  if (const auto error = broker.start(); !error.empty()) {
    std::fprintf(stderr, "ringkafka-test-broker: %s\n", error.c_str());
    return 1;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::printf("%s\n", broker.bootstrap().c_str());
  std::fflush(stdout);
  std::atomic<bool> done{false};
  std::thread staller;
  if (stall_ms > 0) {
    staller = std::thread([&] {
      auto next = std::chrono::steady_clock::now();
      while (!done.load(std::memory_order_relaxed)) {
        next += std::chrono::milliseconds(stall_every_ms - stall_ms);
        std::this_thread::sleep_until(next);
        for (int n = 1; n <= config.brokers; ++n) broker.pause_reading(n, true);
        next += std::chrono::milliseconds(stall_ms);
        std::this_thread::sleep_until(next);
        for (int n = 1; n <= config.brokers; ++n) broker.pause_reading(n, false);
      }
    });
  }
  while (g_stop == 0) ::pause();
  done.store(true, std::memory_order_relaxed);
  if (staller.joinable()) staller.join();
  broker.stop();
  const auto c = broker.counters();
  std::fprintf(stderr,
               "connections %llu requests %llu produce_requests %llu batches %llu records %llu "
               "rejected_batches %llu\n",
               static_cast<unsigned long long>(c.connections),
               static_cast<unsigned long long>(c.requests),
               static_cast<unsigned long long>(c.produce_requests),
               static_cast<unsigned long long>(c.batches),
               static_cast<unsigned long long>(c.records),
               static_cast<unsigned long long>(c.rejected_batches));
  for (const auto& e : broker.validation_errors()) std::fprintf(stderr, "rejected: %s\n", e.c_str());
  return 0;
}
