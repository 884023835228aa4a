// A trading system's order-event publisher: one application thread on a
// core of its own sends fixed-size order events, keyed by instrument so
// that each instrument's events stay in order (murmur2 on the key, as the
// Java client places them); the sender thread spins on another core
// (the low_latency preset, sender.cpu).  Reports come back to the
// publishing thread through poll(), between events: nothing in the loop
// locks, allocates or makes a system call.
//
//   order-publisher BOOTSTRAP TOPIC [COUNT] [RATE/s] [APP-CPU] [SENDER-CPU]
//
// Prints the time produce() took (p50, p99, max) and how many events were
// delivered; exits 0 only if all were.
#include <ringkafka/producer.h>

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

namespace {

// The event as the matching engine lays it out: sent as its bytes.
struct OrderEvent {
  std::uint64_t order_id;
  std::int64_t price_nanos;  // fixed point
  std::uint32_t quantity;
  std::uint8_t side;  // 0 buy, 1 sell
  std::uint8_t kind;  // 0 new, 1 fill, 2 cancel
  std::array<char, 2> pad;
};

struct Counts {
  int delivered = 0;
  int failed = 0;
};

void on_report(const ringkafka::DeliveryReport& r, void* context) noexcept {
  auto& c = *static_cast<Counts*>(context);
  (r.ok() ? c.delivered : c.failed) += 1;
}

bool pin_this_thread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(static_cast<std::size_t>(cpu), &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC [COUNT] [RATE] [APP-CPU] [SENDER-CPU]\n",
                 argv[0]);
    return 2;
  }
  const int count = argc > 3 ? std::atoi(argv[3]) : 10000;
  const int rate = argc > 4 ? std::atoi(argv[4]) : 10000;
  const int app_cpu = argc > 5 ? std::atoi(argv[5]) : -1;
  const char* sender_cpu = argc > 6 ? argv[6] : nullptr;

  auto config = ringkafka::Config::low_latency();  // acks=1, linger.ms=0, a spinning sender
  config.bootstrap_servers(argv[1]);
  if (sender_cpu != nullptr) {
    if (auto set = config.set("sender.cpu", sender_cpu); !set) {
      std::fprintf(stderr, "%s\n", set.error().message.c_str());
      return 1;
    }
  }
  auto made = ringkafka::Producer::create(config);
  if (!made) {
    std::fprintf(stderr, "%s\n", made.error().message.c_str());
    return 1;
  }
  ringkafka::Producer& producer = *made.value();
  auto topic = producer.topic(argv[2]);
  if (!topic) {
    std::fprintf(stderr, "%s\n", topic.error().message.c_str());
    return 1;
  }
  if (app_cpu >= 0 && !pin_this_thread(app_cpu)) {
    std::fprintf(stderr, "cannot pin to CPU %d\n", app_cpu);
  }
  // The ring and report queue are claimed here, not on the first event.
  if (producer.register_thread() != ringkafka::Errc::kOk) return 1;

  static constexpr std::array<const char*, 4> kInstruments{"ESZ6", "NQZ6", "CLF7", "GCG7"};
  std::vector<std::int64_t> took_ns(static_cast<std::size_t>(count));  // before the loop
  std::array<ringkafka::DeliveryReport, 64> reports;
  Counts counts;
  const auto serve = [&] {
    for (std::size_t i = 0, n = producer.poll(reports); i < n; ++i) on_report(reports[i], &counts);
  };

  using Clock = std::chrono::steady_clock;
  const auto gap = std::chrono::nanoseconds(1'000'000'000 / std::max(rate, 1));
  auto next = Clock::now();
  for (int i = 0; i < count; ++i) {
    while (Clock::now() < next) serve();  // spin between events, serving reports
    next += gap;
    const OrderEvent event{static_cast<std::uint64_t>(i), 4'512'250'000'000, 10,
                           static_cast<std::uint8_t>(i % 2), 0, {}};
    const auto bytes = std::as_bytes(std::span(&event, 1));
    const std::string_view instrument =
        kInstruments[static_cast<std::size_t>(i) % kInstruments.size()];
    const auto start = Clock::now();
    ringkafka::Errc e = producer.produce(topic.value(), instrument, bytes);
    took_ns[static_cast<std::size_t>(i)] = (Clock::now() - start).count();
    while (ringkafka::is_full(e)) {  // a burst the sender has not drained yet
      serve();
      e = producer.produce(topic.value(), instrument, bytes);
    }
    if (e != ringkafka::Errc::kOk) {
      std::fprintf(stderr, "order %d refused: %s\n", i, ringkafka::to_string(e));
      ++counts.failed;
    }
  }
  // The rest of the reports, served here as flush() waits for them.
  if (producer.flush(std::chrono::seconds(30), on_report, &counts) != ringkafka::Errc::kOk) {
    std::fprintf(stderr, "flush timed out\n");
  }

  std::sort(took_ns.begin(), took_ns.end());
  const auto at = [&](double q) { return took_ns[static_cast<std::size_t>(q * (count - 1))]; };
  std::printf("produce(): p50 %lld ns, p99 %lld ns, max %lld ns; delivered %d of %d\n",
              static_cast<long long>(at(0.5)), static_cast<long long>(at(0.99)),
              static_cast<long long>(took_ns.back()), counts.delivered, count);
  return counts.delivered == count && counts.failed == 0 ? 0 : 1;
}
