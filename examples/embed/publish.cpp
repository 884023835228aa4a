// A small service's producer, written as a user would against an installed
// (or vendored) ringkafka: the same file is built by each of the three
// routes in this folder (CMake, pkg-config, Meson subproject).
//
//   publish BOOTSTRAP TOPIC [COUNT]
//
// Produces COUNT records (default 100), flushes, and exits 0 only if every
// one was delivered, printing "delivered N of N to TOPIC".
#include <ringkafka/producer.h>
#include <ringkafka/version.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC [COUNT]\n", argv[0]);
    return 2;
  }
  const int count = argc > 3 ? std::atoi(argv[3]) : 100;

  auto config = ringkafka::Config::durable();
  config.bootstrap_servers(argv[1]);
  if (auto set = config.set("linger.ms", "1"); !set) {
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

  int accepted = 0;
  int delivered = 0;
  ringkafka::DeliveryReport reports[256];
  const auto serve = [&] {
    for (std::size_t i = 0, n = producer.poll(reports); i < n; ++i) {
      if (reports[i].ok()) {
        ++delivered;
      } else {
        std::fprintf(stderr, "not delivered: %s\n", reports[i].message);
      }
    }
  };
  for (int i = 0; i < count; ++i) {
    const std::string key = "order-" + std::to_string(i);
    ringkafka::Errc e;
    while (ringkafka::is_full(e = producer.produce(topic.value(), key, "filled"))) serve();
    if (e != ringkafka::Errc::kOk) {
      std::fprintf(stderr, "produce: %s\n", ringkafka::to_string(e));
      return 1;
    }
    ++accepted;
  }
  if (producer.flush(std::chrono::seconds(30)) != ringkafka::Errc::kOk) {
    std::fprintf(stderr, "flush timed out\n");
  }
  serve();
  const auto v = ringkafka::version();
  std::printf("ringkafka %.*s: delivered %d of %d to %s\n", static_cast<int>(v.size()), v.data(),
              delivered, accepted, argv[2]);
  return delivered == count ? 0 : 1;
}
