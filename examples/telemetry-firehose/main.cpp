// A telemetry firehose: several threads push metric lines as fast as the
// producer takes them, with the throughput preset (large batches, a
// linger, acks=1 without idempotence) and lz4.  Delivery reports go to a callback
// on the sender thread, so the producing threads never poll; a full ring
// makes produce() wait (max.block.ms), which is the back-pressure a
// firehose wants.  At the end the statistics say what lz4 saved.
//
//   telemetry-firehose BOOTSTRAP TOPIC [COUNT] [THREADS]
#include <ringkafka/producer.h>
#include <ringkafka/statistics.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

struct Delivered {
  std::atomic<long> ok{0};
  std::atomic<long> failed{0};
};

// On the sender thread: count, never block.
void on_report(const ringkafka::DeliveryReport& r, void* context) noexcept {
  auto& d = *static_cast<Delivered*>(context);
  (r.ok() ? d.ok : d.failed).fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC [COUNT] [THREADS]\n", argv[0]);
    return 2;
  }
  const long count = argc > 3 ? std::atol(argv[3]) : 200000;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 2;

  Delivered delivered;
  auto config = ringkafka::Config::throughput();
  config.bootstrap_servers(argv[1]);
  config.delivery_callback(on_report, &delivered);
  if (auto set = config.set("compression.type", "lz4"); !set) {
    std::fprintf(stderr, "%s\n", set.error().message.c_str());
    return 1;
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

  std::atomic<long> refused{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      char line[160];
      for (long i = w; i < count; i += threads) {
        const int n = std::snprintf(line, sizeof line,
                                    "host=web-%d service=checkout cpu=0.%02ld mem_mb=%ld "
                                    "requests=%ld seq=%ld",
                                    w, i % 100, 2048 + i % 512, i % 1000, i);
        // No key: records without one go to a sticky partition per batch.
        if (producer.produce(topic.value(), ringkafka::Bytes::null(),
                             ringkafka::Bytes(line, static_cast<std::size_t>(n))) !=
            ringkafka::Errc::kOk) {
          refused.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  if (producer.flush(std::chrono::seconds(60)) != ringkafka::Errc::kOk) {
    std::fprintf(stderr, "flush timed out\n");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  ringkafka::Statistics stats;
  unsigned long long raw = 0;
  unsigned long long wire = 0;
  if (producer.statistics(stats) == ringkafka::Errc::kOk) {
    for (const auto& p : stats.partitions) {
      raw += p.bytes;
      wire += p.wire_bytes;
    }
  }
  const double ratio = wire != 0 ? static_cast<double>(raw) / static_cast<double>(wire) : 0.0;
  std::printf("%ld records in %.2f s (%.0f/s) from %d threads; delivered %ld, refused %ld; "
              "%llu bytes of records in %llu on the wire (lz4 %.1fx)\n",
              count, seconds, static_cast<double>(count) / seconds, threads, delivered.ok.load(),
              refused.load(), raw, wire, ratio);
  return delivered.ok.load() == count ? 0 : 1;
}
