// The durable producer against a real 3-broker Kafka cluster (KRaft, from
// tools/kafka-local) while partition leaders are killed with SIGKILL, or
// stopped gracefully, in rotation: records are produced at a steady rate
// to a topic of 12 partitions, replication 3, min.insync.replicas=2, and a
// second thread stops the leader of one partition after another and starts
// it again.  Afterwards kcat, a consumer we did not write, reads the topic
// back, and the ledger is checked:
//   - every accepted record has exactly one delivery report;
//   - the records consumed are exactly the records reported delivered, each
//     once (no duplicate, nothing lost);
//   - per partition, they are in produce order;
//   - every other record has an error report.
// The same cluster also runs transactions while their coordinator is
// killed, and the whole cluster going down past delivery.timeout.ms.
//
// CI runs a short version.  The full one (1,000,000 records, a leader
// stopped every 5 s) is tools/reliability-full (docs/reliability.md); the
// environment variables RINGKAFKA_FAILOVER_RECORDS, _RATE and _EVERY_MS
// set the length, the rate and the pause between stops.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "broker.h"
#include "kcat_reader.h"
#include "ledger.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
namespace rt = ringkafka::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kPartitions = 12;

long env_or(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtol(v, nullptr, 10) : fallback;
}

using rt::kafka_local;

// One 3-node cluster for the suite, in a directory of its own.
class Cluster {
 public:
  static Cluster& get() {
    static Cluster c;
    return c;
  }
  [[nodiscard]] bool up() const { return !bootstrap_.empty(); }
  [[nodiscard]] const std::string& bootstrap() const { return bootstrap_; }
  [[nodiscard]] const std::string& error() const { return error_; }

  // kafka-local ARGS --dir DIR: its exit code and stdout.
  rt::CommandResult run(const std::string& args) const {
    return rt::run_command(kafka_local() + " " + args + " --dir " + dir_);
  }
  void stop() { (void)rt::run_command(kafka_local() + " stop --dir " + dir_); }
  [[nodiscard]] const std::string& dir() const { return dir_; }

 private:
  Cluster() {
    dir_ = (std::getenv("TMPDIR") != nullptr ? std::string(std::getenv("TMPDIR")) : "/tmp") +
           "/ringkafka-failover-" + std::to_string(::getpid());
    (void)rt::run_command(kafka_local() + " stop --dir " + dir_);
    const auto r = rt::run_command(kafka_local() + " start --brokers 3 --heap 512m --dir " + dir_);
    if (r.exit_code != 0) {
      error_ = "kafka-local start --brokers 3 failed (its log is above)";
      return;
    }
    bootstrap_ = r.output;
    while (!bootstrap_.empty() && (bootstrap_.back() == '\n' || bootstrap_.back() == ' ')) {
      bootstrap_.pop_back();
    }
  }
  std::string dir_;
  std::string bootstrap_;
  std::string error_;
};

class FailoverTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() { Cluster::get().stop(); }

  // Skipped where no cluster can be started (no Java, say), except in CI,
  // where that is a failure, as for every integration test.
  void SetUp() override {
    if (Cluster::get().up()) return;
    if (std::getenv("CI") != nullptr) FAIL() << Cluster::get().error();
    GTEST_SKIP() << Cluster::get().error();
  }

  // Produces at a steady rate while leaders are stopped and started again
  // with `signal`, then checks the ledger against kcat.
  void run(const char* signal) {
    Cluster& cluster = Cluster::get();
    const std::string topic = rt::unique_topic(std::string("failover-") + signal);
    ASSERT_EQ(cluster.run("create-topic " + topic + " --partitions " + std::to_string(kPartitions) +
                          " --replication 3 --config min.insync.replicas=2")
                  .exit_code,
              0);
    const auto records = static_cast<std::size_t>(env_or("RINGKAFKA_FAILOVER_RECORDS", 60000));
    const double rate = static_cast<double>(env_or("RINGKAFKA_FAILOVER_RATE", 3000));
    const auto every = std::chrono::milliseconds(env_or("RINGKAFKA_FAILOVER_EVERY_MS", 4000));

    auto config = rk::Config::durable();
    config.bootstrap_servers(cluster.bootstrap());
    auto made = rk::Producer::create(config);
    ASSERT_TRUE(made.ok()) << made.error().message;
    rk::Producer& p = *made.value();
    const rk::Topic t = p.topic(topic).value();
    rt::Ledger ledger;

    std::atomic<bool> producing{true};
    std::atomic<int> stops{0};
    std::thread stopper([&] {
      int next_partition = 0;
      while (producing.load()) {
        std::this_thread::sleep_for(every);
        if (!producing.load()) break;
        std::string leader = cluster.run("leader " + topic + " " + std::to_string(next_partition)).output;
        next_partition = (next_partition + 5) % kPartitions;
        while (!leader.empty() && leader.back() == '\n') leader.pop_back();
        if (leader.empty() || leader == "-1") continue;  // between leaders: try the next one
        if (cluster.run("kill-node " + leader + " --signal " + signal).exit_code != 0) continue;
        ++stops;
        std::this_thread::sleep_for(1s);
        EXPECT_EQ(cluster.run("start-node " + leader).exit_code, 0) << "node " << leader;
      }
    });

    const auto start = std::chrono::steady_clock::now();
    const auto interval = std::chrono::nanoseconds(static_cast<long>(1e9 / rate));
    for (std::size_t i = 0; i < records; ++i) {
      std::this_thread::sleep_until(start + interval * static_cast<long>(i));
      const auto partition = static_cast<std::int32_t>(i % kPartitions);
      const rk::Errc e = ledger.produce(p, t, partition);
      EXPECT_EQ(e, rk::Errc::kOk) << "record " << i;
      if (e != rk::Errc::kOk) break;
      if ((i & 63) == 0) ledger.poll(p);
    }
    producing = false;
    stopper.join();
    EXPECT_EQ(p.flush(180s), rk::Errc::kOk);
    ledger.await(p, 10s);

    std::vector<rt::KcatRecord> consumed;
    EXPECT_EQ(rt::kcat_read_topic(cluster.bootstrap(), topic, consumed, ledger.sent(), 60s), "");
    const rt::Ledger::Figures f = ledger.check(consumed, true);
    EXPECT_EQ(f.consumed, f.delivered);
    EXPECT_GE(stops.load(), 1) << "no leader was stopped: the run was too short";
    std::printf("failover (%s): sent %zu, delivered %zu, failed with a report %zu, consumed %zu, "
                "lost %zu, duplicated %zu, leaders stopped %d\n",
                signal, f.sent, f.delivered, f.failed, f.consumed, f.lost, f.duplicated, stops.load());
    RecordProperty("sent", static_cast<int>(f.sent));
    RecordProperty("delivered", static_cast<int>(f.delivered));
    RecordProperty("failed", static_cast<int>(f.failed));
    RecordProperty("leaders_stopped", stops.load());
  }
};

TEST_F(FailoverTest, LeadersKilledWithSigkillInRotationLoseAndDuplicateNothing) { run("KILL"); }

TEST_F(FailoverTest, AClusterDownPastDeliveryTimeoutFailsWhatWaitedAndWorksWhenBack) {
  Cluster& cluster = Cluster::get();
  const std::string topic = rt::unique_topic("cluster-down");
  ASSERT_EQ(cluster.run("create-topic " + topic + " --partitions " + std::to_string(kPartitions) +
                        " --replication 3 --config min.insync.replicas=2")
                .exit_code,
            0);
  auto config = rk::Config::durable();
  config.bootstrap_servers(cluster.bootstrap());
  ASSERT_TRUE(config.set("delivery.timeout.ms", "5000").ok());
  ASSERT_TRUE(config.set("request.timeout.ms", "2000").ok());
  auto made = rk::Producer::create(config);
  ASSERT_TRUE(made.ok()) << made.error().message;
  rk::Producer& p = *made.value();
  const rk::Topic t = p.topic(topic).value();
  rt::Ledger ledger;
  auto produce = [&](std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = ledger.sent();
      const auto partition = static_cast<std::int32_t>(i % kPartitions);
      ASSERT_EQ(p.produce(t, rk::Bytes::null(), rt::Ledger::value(i),
                          {.opaque = rt::Ledger::opaque(i), .partition = partition}),
                rk::Errc::kOk);
      ledger.accepted(partition);
    }
  };

  produce(120);
  ledger.await(p, 30s);
  for (int node = 1; node <= 3; ++node) {
    ASSERT_EQ(cluster.run("kill-node " + std::to_string(node) + " --signal KILL").exit_code, 0);
  }
  const std::size_t down = ledger.sent();
  produce(240);  // nowhere to go: each ends in a timeout report
  ledger.await(p, 20s);
  for (std::size_t i = down; i < ledger.sent(); ++i) {
    EXPECT_EQ(ledger.report(i).error, rk::Errc::kMessageTimedOut) << "record " << i;
  }
  EXPECT_EQ(p.in_flight(), 0U) << "records still held after delivery.timeout.ms";
  // A single node cannot form the KRaft quorum: all three start together.
  ASSERT_EQ(rt::run_command("(" + kafka_local() + " start-node 1 --dir " + cluster.dir() + " & " +
                            kafka_local() + " start-node 2 --dir " + cluster.dir() + " & " +
                            kafka_local() + " start-node 3 --dir " + cluster.dir() + " & wait)")
                .exit_code,
            0);
  produce(240);
  EXPECT_EQ(p.flush(120s), rk::Errc::kOk);
  ledger.await(p, 10s);

  std::vector<rt::KcatRecord> consumed;
  EXPECT_EQ(rt::kcat_read_topic(cluster.bootstrap(), topic, consumed, 360, 60s), "");
  const rt::Ledger::Figures f = ledger.check(consumed, true);
  EXPECT_EQ(f.failed, 240U);
  EXPECT_EQ(f.delivered, 360U);
  EXPECT_EQ(f.consumed, f.delivered);
  std::printf("cluster down: sent %zu, delivered %zu, failed with a report %zu, consumed %zu, "
              "lost %zu, duplicated %zu\n",
              f.sent, f.delivered, f.failed, f.consumed, f.lost, f.duplicated);
}

TEST_F(FailoverTest, LeadersStoppedGracefullyInRotationLoseAndDuplicateNothing) { run("TERM"); }

// Transactions while the transaction coordinator is killed (SIGKILL): in
// the middle of one, with records of it already in the log, and while a
// commit runs.  The producer finds the new coordinator and carries on.  A transaction whose commit
// fails abortable (a record lost to the failover) is aborted and counted;
// kcat under read_committed reads every record of every committed
// transaction exactly once and none of an aborted one.
// tools/reliability-full only (RINGKAFKA_FAILOVER_TRANSACTIONS=1): a
// minute CI's 40 do not have.
TEST_F(FailoverTest, TransactionsGoOnWhenTheirCoordinatorIsKilled) {
  if (std::getenv("RINGKAFKA_FAILOVER_TRANSACTIONS") == nullptr) {
    GTEST_SKIP() << "tools/reliability-full runs it (RINGKAFKA_FAILOVER_TRANSACTIONS=1)";
  }
  Cluster& cluster = Cluster::get();
  const std::string topic = rt::unique_topic("txn-coordinator-kill");
  ASSERT_EQ(cluster.run("create-topic " + topic + " --partitions 6 --replication 3 --config "
                        "min.insync.replicas=2")
                .exit_code,
            0);
  const std::string id = rt::unique_topic("txn-failover");
  auto config = rk::Config::durable();
  config.bootstrap_servers(cluster.bootstrap());
  ASSERT_TRUE(config.set("transactional.id", id).ok());
  auto made = rk::Producer::create(config);
  ASSERT_TRUE(made.ok()) << made.error().message;
  rk::Producer& p = *made.value();
  const rk::Topic t = p.topic(topic).value();
  ASSERT_TRUE(p.init_transactions(120s).ok());
  // "STATE PRODUCER-ID EPOCH COORDINATOR TIMEOUT-MS"
  const auto coordinator = [&] {
    std::istringstream in(cluster.run("transaction " + id).output);
    std::string state, pid, epoch, node;
    in >> state >> pid >> epoch >> node;
    return node;
  };
  std::set<std::string> committed;
  int aborted = 0;
  std::vector<std::string> killed;
  const auto kill_coordinator = [&] {
    const std::string node = coordinator();
    EXPECT_FALSE(node.empty());
    EXPECT_EQ(cluster.run("kill-node " + node + " --signal KILL").exit_code, 0);
    killed.push_back(node);
  };
  for (int txn = 0; txn < 6; ++txn) {
    // The node killed two transactions ago comes back.
    if (txn == 3 || txn == 5) {
      ASSERT_EQ(cluster.run("start-node " + killed.back()).exit_code, 0);
    }
    ASSERT_TRUE(p.begin_transaction().ok());
    for (int i = 0; i < 200; ++i) {
      const std::string key = std::to_string(txn) + ":" + std::to_string(i);
      ASSERT_EQ(p.produce(t, key, "v", {.partition = i % 6}), rk::Errc::kOk);
      if (txn == 2 && i == 100) {
        ASSERT_EQ(p.flush(60s), rk::Errc::kOk);  // half of it in the log
        kill_coordinator();
      }
    }
    // Transaction 4: killed while the commit runs (its drain or EndTxn).
    std::thread killer;
    if (txn == 4) {
      ASSERT_EQ(p.flush(60s), rk::Errc::kOk);
      killer = std::thread([&] {
        std::this_thread::sleep_for(2ms);
        kill_coordinator();
      });
    }
    auto commit = p.commit_transaction(120s);
    if (killer.joinable()) killer.join();
    if (commit.ok()) {
      for (int i = 0; i < 200; ++i) committed.insert(std::to_string(txn) + ":" + std::to_string(i));
    } else {
      ASSERT_TRUE(commit.error().txn_requires_abort()) << commit.error().message;
      std::printf("transaction %d: %s\n", txn, commit.error().message.c_str());
      ASSERT_TRUE(p.abort_transaction(120s).ok());
      ++aborted;
    }
  }
  const std::string after = coordinator();
  std::vector<rt::KcatRecord> read;
  EXPECT_EQ(rt::kcat_read_topic(cluster.bootstrap(), topic, read, committed.size(), 60s), "");
  std::set<std::string> seen;
  for (const auto& r : read) {
    ASSERT_TRUE(r.key);
    EXPECT_TRUE(committed.count(*r.key) != 0) << "read a record of an aborted transaction: " << *r.key;
    EXPECT_TRUE(seen.insert(*r.key).second) << "read twice: " << *r.key;
  }
  EXPECT_EQ(seen.size(), committed.size());
  EXPECT_GE(committed.size(), 4U * 200U) << "most transactions commit through the failover";
  ASSERT_EQ(killed.size(), 2U);
  std::printf("coordinator kill: node %s killed inside transaction 2, node %s during the commit "
              "of transaction 4, coordinator now %s; %zu transactions committed, %d aborted, %zu "
              "records read\n",
              killed[0].c_str(), killed[1].c_str(), after.c_str(), committed.size() / 200, aborted,
              seen.size());
}

}  // namespace
