// An idempotent producer's sequence state as real Kafka keeps it: sequences
// that wrap from 2147483647 to 0, and a producer id the broker forgot while
// the producer sat idle.  Each test checks the records with kcat through
// the shared ledger (nothing lost, nothing duplicated, partition order),
// and reads the broker's own state for the producer with Kafka's
// describe-producers (tools/kafka-local producers), which shows the broker
// took the sequences the test meant it to.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "broker.h"
#include "kcat_reader.h"
#include "ledger.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
namespace rt = ringkafka::testing;
using namespace std::chrono_literals;

namespace {

struct ProducerState {
  std::int64_t id = -1;
  int epoch = -1;
  std::int64_t last_sequence = -1;
};

// The producers partition `partition` of `topic` keeps state for; an empty
// list when it keeps none.  Fails the test if the tool fails.
std::vector<ProducerState> producers_of(const std::string& topic, int partition) {
  const auto r = rt::run_command(rt::kafka_local() + " producers " + topic + " " + std::to_string(partition));
  EXPECT_EQ(r.exit_code, 0) << "kafka-local producers failed: " << r.output;
  std::vector<ProducerState> out;
  ProducerState s;
  const char* text = r.output.c_str();
  int used = 0;
  while (std::sscanf(text, "%lld %d %lld%n", reinterpret_cast<long long*>(&s.id), &s.epoch,
                     reinterpret_cast<long long*>(&s.last_sequence), &used) == 3) {
    out.push_back(s);
    text += used;
  }
  return out;
}

class SequenceState : public ::testing::Test {
 protected:
  void SetUp() override { RINGKAFKA_REQUIRE_BROKER(bootstrap_); }

  std::unique_ptr<rk::Producer> make(rk::Config config, const std::string& topic) {
    config.bootstrap_servers(bootstrap_);
    EXPECT_TRUE(config.set("linger.ms", "2").ok());
    auto made = rk::Producer::create(config);
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().message);
    if (!made.ok()) return nullptr;
    topic_ = topic;
    t_ = made.value()->topic(topic).value();
    return std::move(made.value());
  }

  // Produces `n` records to `partition`, taking reports as it goes.
  void produce(rk::Producer& p, std::size_t n, std::int32_t partition) {
    for (std::size_t k = 0; k < n; ++k) {
      ASSERT_EQ(ledger_.produce(p, t_, partition), rk::Errc::kOk) << "record " << ledger_.sent();
      ledger_.poll(p);
    }
  }

  rt::Ledger::Figures finish(rk::Producer& p, const char* name) {
    EXPECT_EQ(p.close(60s), rk::Errc::kOk);
    ledger_.await(p, 10s);
    std::vector<rt::KcatRecord> consumed;
    EXPECT_EQ(rt::kcat_read_topic(bootstrap_, topic_, consumed, ledger_.sent(), 30s), "");
    const auto f = ledger_.check(consumed, true);
    std::printf("%s: sent %zu, delivered %zu, failed with a report %zu, consumed %zu, lost %zu, "
                "duplicated %zu\n",
                name, f.sent, f.delivered, f.failed, f.consumed, f.lost, f.duplicated);
    EXPECT_EQ(f.delivered, f.sent);
    return f;
  }

  std::string bootstrap_;
  std::string topic_;
  rk::Topic t_;
  rt::Ledger ledger_;
};

// The client starts 200 sequences short of the wrap (test.first.sequence),
// so each partition's sequences pass 2147483647 and go on from 0, some
// batches straddling it.  Kafka checks every batch's sequences against the
// last it wrote, so a negative or skipped sequence would be refused with
// OUT_OF_ORDER_SEQUENCE_NUMBER (reported, not delivered: the ledger
// counts it as lost from the test's point of view).
TEST_F(SequenceState, SequencesWrapFromInt32MaxToZeroOnRealKafka) {
  constexpr int kPartitions = 3;
  constexpr std::int64_t kFirst = 2147483647 - 200;
  constexpr std::size_t kPerRound = 150;
  const std::string topic = rt::unique_topic("seq-wrap");
  ASSERT_TRUE(rt::create_topic(topic, kPartitions));
  auto config = rk::Config::durable();
  ASSERT_TRUE(config.set("test.first.sequence", std::to_string(kFirst)).ok());
  auto p = make(config, topic);
  ASSERT_NE(p, nullptr);

  // Rounds of 150 per partition, a pause between them so that batches
  // of many sizes are cut around the wrap.
  for (int round = 0; round < 4; ++round) {
    for (std::int32_t part = 0; part < kPartitions; ++part) produce(*p, kPerRound, part);
    std::this_thread::sleep_for(5ms);
  }
  const auto f = finish(*p, "sequence wrap");
  EXPECT_EQ(f.lost, 0U);
  EXPECT_EQ(f.duplicated, 0U);

  // 600 records per partition from kFirst: the last is sequence
  // (kFirst + 599) mod 2^31 = 398.
  const std::int64_t want_last = (kFirst + 4 * kPerRound - 1) % 2147483648LL;
  for (int part = 0; part < kPartitions; ++part) {
    const auto state = producers_of(topic, part);
    ASSERT_EQ(state.size(), 1U) << "partition " << part;
    EXPECT_EQ(state[0].last_sequence, want_last) << "partition " << part;
  }
}

// The broker forgets a producer id idle longer than producer.id.expiration.ms.
// Once the producer has written, this test sets that to 2 s as a dynamic
// broker config, and sets it back before writing again (the broker checks
// every producer.id.expiration.check.interval.ms, which tools/test starts
// it with at 1 s).  The producer does not know: its next batch carries the
// next sequence of a producer the broker no longer has, which Kafka
// accepts (the Java client and librdkafka send the same).  The records
// after the idle time must be written once, in order, and the broker must
// show the producer again with its sequences carried on.
TEST_F(SequenceState, AnIdleProducerWhoseIdExpiredKeepsWriting) {
  const std::string topic = rt::unique_topic("pid-expiry");
  ASSERT_TRUE(rt::create_topic(topic, 1));

  auto p = make(rk::Config::durable(), topic);
  ASSERT_NE(p, nullptr);
  produce(*p, 100, 0);
  ASSERT_EQ(p->flush(30s), rk::Errc::kOk);
  const auto before = producers_of(topic, 0);
  ASSERT_EQ(before.size(), 1U);
  EXPECT_EQ(before[0].last_sequence, 99);

  struct Expiry {
    Expiry() {
      set = rt::run_command(rt::kafka_local() + " broker-config producer.id.expiration.ms=2000").exit_code == 0;
    }
    // Back to Kafka's default (a day), so that neither this test's later
    // checks nor later tests' retries meet a forgotten producer.
    bool reset() {
      if (set) set = rt::run_command(rt::kafka_local() + " broker-config --delete producer.id.expiration.ms").exit_code != 0;
      return !set;
    }
    ~Expiry() { (void)reset(); }
    bool set = false;
  } expiry;
  ASSERT_TRUE(expiry.set) << "kafka-local broker-config producer.id.expiration.ms=2000 failed";

  // Idle (the producer keeps polling) until the broker has forgotten it.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  bool forgotten = false;
  while (!forgotten && std::chrono::steady_clock::now() < deadline) {
    ledger_.poll(*p);
    std::this_thread::sleep_for(500ms);
    forgotten = producers_of(topic, 0).empty();
  }
  ASSERT_TRUE(forgotten) << "the broker kept the producer id for 60 s; its expiry check runs every "
                            "producer.id.expiration.check.interval.ms, which tools/test sets to 1000 "
                            "(a broker started otherwise checks every 10 minutes)";
  ASSERT_TRUE(expiry.reset()) << "kafka-local broker-config --delete producer.id.expiration.ms failed";

  produce(*p, 100, 0);
  ASSERT_EQ(p->flush(30s), rk::Errc::kOk);
  const auto after = producers_of(topic, 0);
  ASSERT_EQ(after.size(), 1U);
  EXPECT_EQ(after[0].id, before[0].id);
  EXPECT_EQ(after[0].last_sequence, 199);
  const auto f = finish(*p, "producer id expired while idle");
  EXPECT_EQ(f.lost, 0U);
  EXPECT_EQ(f.duplicated, 0U);
}

}  // namespace
