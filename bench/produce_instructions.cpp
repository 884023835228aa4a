// Instructions per produce() call, counted by callgrind rather than timed:
// tools/produce-instructions runs this under
//   valgrind --tool=callgrind --toggle-collect='ringkafka::Producer::produce*'
// and divides the instructions collected by the calls.  Public API only,
// so the same file builds against an older tree for a before/after figure.
//
// No broker: the producer points at a port nothing listens on, so every
// record stays in the ring (waiting for metadata) and produce() runs its
// whole fast path; the loop stops short of the ring's capacity.
//
//   produce_instructions [COUNT] [key=value...]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ringkafka/producer.h"

int main(int argc, char** argv) {
  const long count = argc > 1 ? std::atol(argv[1]) : 10000;
  ringkafka::Config config = ringkafka::Config::low_latency();
  config.bootstrap_servers("127.0.0.1:1");
  // Under valgrind every thread shares one core: a spinning sender would
  // take most of it.
  (void)config.set("sender.idle.strategy", "backoff");
  // Every record stays in the ring: it must hold COUNT of them (the ring's
  // size changes no instruction of the call).
  (void)config.set("ring.bytes", "4194304");
  for (int i = 2; i < argc; ++i) {
    const char* eq = std::strchr(argv[i], '=');
    if (eq == nullptr) continue;
    if (!config.set(std::string(argv[i], static_cast<std::size_t>(eq - argv[i])), eq + 1).ok()) {
      std::fprintf(stderr, "bad key: %s\n", argv[i]);
      return 2;
    }
  }
  auto made = ringkafka::Producer::create(config);
  if (!made.ok()) {
    std::fprintf(stderr, "%s\n", made.error().message.c_str());
    return 1;
  }
  ringkafka::Producer& p = *made.value();
  const ringkafka::Topic t = p.topic("instructions").value();
  char key[16];
  char value[100];
  std::memset(key, 'k', sizeof key);
  std::memset(value, 'v', sizeof value);
  long accepted = 0;
  for (long i = 0; i < count; ++i) {
    std::memcpy(key, &i, sizeof i);
    if (p.produce(t, ringkafka::Bytes(key, sizeof key), ringkafka::Bytes(value, sizeof value)) ==
        ringkafka::Errc::kOk) {
      ++accepted;
    }
  }
  std::printf("calls %ld accepted %ld\n", count, accepted);
  (void)p.close(std::chrono::milliseconds(0));
  return accepted == count ? 0 : 1;
}
