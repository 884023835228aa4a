// A transactional producer on the test broker's topic "orders" (three
// partitions), linger.ms a minute so that only commit sends, and its
// reports counted by error: the fixture of the transaction tests.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "../broker/test_broker.h"
#include "make_producer.h"
#include "ringkafka/producer.h"

namespace ringkafka::testing {

namespace rk = ringkafka;
namespace tb = ringkafka::test_broker;
using namespace std::chrono_literals;

constexpr std::int16_t kTransactionalBit = 0x10;

struct TxnFixture {
  explicit TxnFixture(std::int16_t transaction_version = 2, const std::string& id = "tx",
                      bool describe_transactions = true) {
    tb::Config c{1, {{"orders", 3}}};
    c.transaction_version = transaction_version;
    c.describe_transactions = describe_transactions;
    broker = std::make_unique<tb::TestBroker>(c);
    EXPECT_EQ(broker->start(), "");
    p = tb::make_producer(rk::Config(), broker->bootstrap(),
                          {{"transactional.id", id}, {"retry.backoff.ms", "20"},
                           {"linger.ms", "60000"}});  // only commit sends them
    topic = p->topic("orders").value();
  }
  // Reports polled until `n` came (or 10 s), by error code.
  std::map<rk::Errc, int> reports(int n) {
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (got < n && std::chrono::steady_clock::now() < until) {
      rk::DeliveryReport rs[64];
      const std::size_t k = p->poll(rs);
      for (std::size_t i = 0; i < k; ++i) ++by_error[rs[i].error];
      got += static_cast<int>(k);
      if (k == 0) std::this_thread::sleep_for(1ms);
    }
    return by_error;
  }
  std::unique_ptr<tb::TestBroker> broker;
  std::unique_ptr<rk::Producer> p;
  rk::Topic topic{};
  int got = 0;
  std::map<rk::Errc, int> by_error;
};

}  // namespace ringkafka::testing
