// CPU an idle producer costs, per sender.idle.strategy: a producer that
// delivered a few records to the test broker (in this process) and then has
// nothing to do for a while.  Prints the process's CPU time over the idle
// window as a share of one core; the test broker and the main thread sleep
// meanwhile, so this is the sender's.  docs/configuration.md quotes it.
//
//   bench_idle_cpu [SECONDS]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "../tests/broker/test_broker.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
using namespace std::chrono_literals;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  rk::test_broker::TestBroker broker({1, {{"idle", 1}}, false, 100 << 20});
  if (!broker.start().empty()) return 1;
  struct Case {
    const char* name;
    rk::Config config;
    const char* strategy;  // nullptr: the preset's
  };
  const Case cases[] = {
      {"low_latency (spin)", rk::Config::low_latency(), nullptr},
      {"yield", rk::Config::low_latency(), "yield"},
      {"default: backoff, park <= 1 ms", rk::Config(), nullptr},
      {"backoff, park <= 10 ms", rk::Config(), "backoff"},
  };
  std::printf("%-34s %s\n", "sender.idle.strategy", "CPU while idle (% of one core)");
  for (const Case& c : cases) {
    rk::Config config = c.config;
    config.bootstrap_servers(broker.bootstrap());
    if (c.strategy != nullptr) (void)config.set("sender.idle.strategy", c.strategy);
    if (c.strategy != nullptr && std::string_view(c.name).find("10 ms") != std::string_view::npos) {
      (void)config.set("sender.idle.park.max.us", "10000");
    }
    auto made = rk::Producer::create(config);
    if (!made.ok()) return 1;
    rk::Producer& p = *made.value();
    const rk::Topic t = p.topic("idle").value();
    for (int i = 0; i < 100; ++i) (void)p.produce(t, "k", "v");
    if (p.flush(10s) != rk::Errc::kOk) return 1;
    rk::DeliveryReport reports[128];
    (void)p.poll(reports);
    std::this_thread::sleep_for(200ms);  // past every spin and yield phase
    const double before = cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-34s %6.2f\n", c.name, 100.0 * (cpu_seconds() - before) / wall);
  }
  return 0;
}
