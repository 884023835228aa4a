// Garbage in answer to the requests that are not Produce (issue 13,
// defect 1): an ApiVersions, InitProducerId or Metadata answer that is not a
// Kafka frame,
// or whose body is cut short after a good header, is asked for again, and
// the records behind it are delivered.  Before the fix a garbled frame left
// the request marked in flight for ever (it was taken off the connection
// before its answer was found wrong) and nothing more was sent.
// (tests/unit/producer_faults_test.cpp covers the same frames for Produce
// and Metadata.)
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../broker/test_broker.h"
#include "make_producer.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
namespace tb = ringkafka::test_broker;
using namespace std::chrono_literals;

namespace {

constexpr std::int16_t kMetadata = 3;
constexpr std::int16_t kApiVersions = 18;
constexpr std::int16_t kInitProducerId = 22;

std::vector<std::byte> unknown_correlation_frame() {
  std::vector<std::byte> out;
  for (const int b : {0, 0, 0, 8, 0x7f, 0x12, 0x34, 0x56, 0, 0, 0, 0}) out.push_back(static_cast<std::byte>(b));
  return out;
}

class ProducerGarbageControlTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(broker_.start(), ""); }

  // 100 records, all delivered within 20 s.
  void expect_delivered(const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> e = extra;
    e.try_emplace("linger.ms", "0");
    e.try_emplace("retry.backoff.ms", "10");
    e.try_emplace("retry.backoff.max.ms", "50");
    e.try_emplace("request.timeout.ms", "1000");
    auto p = tb::make_producer(rk::Config::durable(), broker_.bootstrap(), e);
    ASSERT_TRUE(p);
    const rk::Topic t = p->topic("orders").value();
    for (int i = 0; i < 100; ++i) ASSERT_EQ(p->produce(t, "k", "v"), rk::Errc::kOk);
    std::size_t ok = 0;
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (ok < 100 && std::chrono::steady_clock::now() < until) {
      rk::DeliveryReport rs[64];
      const std::size_t n = p->poll(rs);
      for (std::size_t i = 0; i < n; ++i) ok += rs[i].ok() ? 1U : 0U;
      if (n == 0) std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(ok, 100U) << "records waited behind a garbled answer";
  }

  tb::TestBroker broker_{tb::Config{1, {{"orders", 3}}, true, 100 << 20}};
};

TEST_F(ProducerGarbageControlTest, AnInitProducerIdAnswerThatIsNotAFrameIsAskedAgain) {
  broker_.reply_raw_to(1, kInitProducerId, unknown_correlation_frame());
  expect_delivered();
}

TEST_F(ProducerGarbageControlTest, AnInitProducerIdAnswerCutShortIsAskedAgain) {
  broker_.truncate_answer(1, kInitProducerId, 1);  // the empty tagged fields of the header
  expect_delivered();
}

TEST_F(ProducerGarbageControlTest, AMetadataAnswerCutShortIsAskedAgain) {
  broker_.truncate_answer(1, kMetadata, 3);
  expect_delivered();
}

TEST_F(ProducerGarbageControlTest, AMetadataAnswerThatIsNotAFrameIsAskedAgain) {
  broker_.reply_raw_to(1, kMetadata, unknown_correlation_frame());
  expect_delivered();
}

// The handshake's own answer: the connection fails and the next one,
// answered properly, carries the records.
TEST_F(ProducerGarbageControlTest, AnApiVersionsAnswerCutShortEndsOnlyThatConnection) {
  broker_.truncate_answer(1, kApiVersions, 2);
  expect_delivered({{"reconnect.backoff.ms", "10"}, {"reconnect.backoff.max.ms", "50"}});
  EXPECT_GE(broker_.counters().connections, 2U) << "the garbled handshake was not retried";
}

TEST_F(ProducerGarbageControlTest, AnApiVersionsAnswerThatIsNotAFrameEndsOnlyThatConnection) {
  broker_.reply_raw_to(1, kApiVersions, unknown_correlation_frame());
  expect_delivered({{"reconnect.backoff.ms", "10"}, {"reconnect.backoff.max.ms", "50"}});
  EXPECT_GE(broker_.counters().connections, 2U);
}

}  // namespace
