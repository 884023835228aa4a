// A slow name lookup does not stop the sender (issue 13): getaddrinfo runs
// on the resolver's thread.  This binary's own getaddrinfo holds every
// lookup of "slow.test" until the test lets it go, so the test sees, with
// no timing, that records reach the broker through the other bootstrap
// entry while that lookup is still held.  Resolved on the sender thread, as
// before, the sender would be stuck inside the lookup and deliver nothing.
#include <dlfcn.h>
#include <netdb.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "../broker/test_broker.h"
#include "make_producer.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
namespace tb = ringkafka::test_broker;
using namespace std::chrono_literals;

namespace {

std::mutex gate_mu;
std::condition_variable gate_cv;
bool gate_open = false;
std::atomic<int> held{0};

void open_gate() {
  std::lock_guard lock(gate_mu);
  gate_open = true;
  gate_cv.notify_all();
}

}  // namespace

extern "C" int getaddrinfo(const char* node, const char* service, const addrinfo* hints,
                           addrinfo** res) {
  using Fn = int (*)(const char*, const char*, const addrinfo*, addrinfo**);
  static const auto real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "getaddrinfo"));
  if (node != nullptr && std::strcmp(node, "slow.test") == 0) {
    held.fetch_add(1);
    std::unique_lock lock(gate_mu);
    gate_cv.wait(lock, [] { return gate_open; });
    return EAI_NONAME;
  }
  return real(node, service, hints, res);
}

namespace {

TEST(ProducerResolver, ASlowLookupDoesNotHoldTheSenderUp) {
  tb::TestBroker broker(tb::Config{1, {{"orders", 3}}, true, 100 << 20});
  ASSERT_EQ(broker.start(), "");
  auto p = tb::make_producer(rk::Config::durable(), "slow.test:9092," + broker.bootstrap(),
                             {{"linger.ms", "0"}});
  ASSERT_TRUE(p);
  const rk::Topic topic = p->topic("orders").value();
  // The lookup has begun (and is held) before the first record: resolved
  // on the sender thread, it would hold the sender from here on.  The
  // resolver's thread may start late (under TSan, say): wait for it.
  const auto started_by = std::chrono::steady_clock::now() + 10s;
  while (held.load() == 0 && std::chrono::steady_clock::now() < started_by) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_GE(held.load(), 1) << "slow.test was never looked up";
  constexpr int kRecords = 100;
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_EQ(p->produce(topic, rk::Bytes("k"), rk::Bytes("v")), rk::Errc::kOk);
  }
  // Every record is delivered while the lookup of slow.test is still held.
  int delivered = 0;
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (delivered < kRecords && std::chrono::steady_clock::now() < until) {
    rk::DeliveryReport reports[64];
    const std::size_t n = p->poll(reports);
    for (std::size_t i = 0; i < n; ++i) delivered += reports[i].ok() ? 1 : 0;
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(delivered, kRecords) << "records waited for a name lookup";
  open_gate();
  p.reset();
}

}  // namespace
