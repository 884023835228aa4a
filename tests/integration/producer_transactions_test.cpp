// Transactions against real Kafka, checked by tools we did not write:
// Kafka's TransactionsCommand (tools/kafka-local transaction), kcat and the
// Java consumer (tools/kafka-local consume).
//
// init_transactions(): the coordinator is found for the transactional.id,
// InitProducerId reaches it with transaction.timeout.ms, and a second
// instance with the same id gets the same producer id at the next epoch
// (which fences the first).
//
// Commit and abort across partitions: kcat with read_committed sees
// exactly the committed records, once, in order; read_uncommitted sees
// the aborted ones too; the Java consumer reads the same on both levels.
//
// The cluster's transaction protocol is RINGKAFKA_TRANSACTION_VERSION (2
// unless set): tests/tools/kafka3_compat_test.sh runs this against Kafka
// 3.x and against 4.x formatted with transaction.version=1, where the
// epoch stays from one transaction to the next.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <vector>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "broker.h"
#include "consumer_group.h"
#include "java_reader.h"
#include "kcat_reader.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
namespace rt = ringkafka::testing;
using namespace std::chrono_literals;

namespace {

struct Described {
  std::string state;
  long long producer_id = -1;
  int epoch = -1;
  int coordinator = -1;
  long long timeout_ms = -1;
};

// What the coordinator says of `id`; state empty if the tool fails.
Described describe(const std::string& id) {
  const auto r = rt::run_command(rt::kafka_local() + " transaction '" + id + "'");
  Described d;
  char state[64] = {};
  if (r.exit_code != 0 ||
      std::sscanf(r.output.c_str(), "%63s %lld %d %d %lld", state, &d.producer_id, &d.epoch,
                  &d.coordinator, &d.timeout_ms) != 5) {
    ADD_FAILURE() << "kafka-local transaction " << id << " failed: " << r.output;
    return d;
  }
  d.state = state;
  return d;
}

int transaction_version() {
  const char* v = std::getenv("RINGKAFKA_TRANSACTION_VERSION");
  return v != nullptr && *v != '\0' ? std::atoi(v) : 2;
}

class ProducerTransactions : public ::testing::Test {
 protected:
  void SetUp() override { RINGKAFKA_REQUIRE_BROKER(bootstrap_); }

  std::unique_ptr<rk::Producer> make(const std::string& id,
                                     const std::map<std::string, std::string>& extra = {}) {
    rk::Config config;
    config.bootstrap_servers(bootstrap_);
    for (const auto& [k, v] : extra) EXPECT_TRUE(config.set(k, v).ok()) << k;
    EXPECT_TRUE(config.set("transactional.id", id).ok());
    EXPECT_TRUE(config.set("transaction.timeout.ms", "45000").ok());
    auto made = rk::Producer::create(config);
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().message);
    return made.ok() ? std::move(made.value()) : nullptr;
  }

  std::string bootstrap_;
};

TEST_F(ProducerTransactions, InitTransactionsGetsAnIdFromTheCoordinator) {
  const std::string id = rt::unique_topic("ringkafka-tx");
  const std::string topic = rt::unique_topic("tx-init");
  ASSERT_TRUE(rt::create_topic(topic, 2));
  auto first = make(id);
  ASSERT_TRUE(first);
  // The first transactional request of a cluster makes __transaction_state:
  // the coordinator may take a while to answer.
  auto r = first->init_transactions(60s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Described one = describe(id);
  EXPECT_EQ(one.state, "Empty");
  EXPECT_GE(one.producer_id, 0);
  EXPECT_EQ(one.epoch, 0);
  EXPECT_EQ(one.timeout_ms, 45000);
  // No transaction is open: produce() takes nothing.
  EXPECT_EQ(first->produce(first->topic(topic).value(), "k", "v"), rk::Errc::kState);

  // A second instance: the same id, the next epoch.
  auto second = make(id);
  ASSERT_TRUE(second);
  auto r2 = second->init_transactions(60s);
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  const Described two = describe(id);
  EXPECT_EQ(two.producer_id, one.producer_id);
  EXPECT_EQ(two.epoch, one.epoch + 1);
  EXPECT_EQ(two.state, "Empty");
}

// Empty transactions end without a request (Java's rule; under version 1
// Kafka would answer INVALID_TXN_STATE to one): the coordinator still
// describes the id as it was after init, and a real transaction after them
// commits.
TEST_F(ProducerTransactions, EmptyTransactionsEndWithoutTheCoordinator) {
  const std::string id = rt::unique_topic("ringkafka-tx");
  const std::string topic = rt::unique_topic("tx-empty");
  ASSERT_TRUE(rt::create_topic(topic, 1));
  auto p = make(id);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->init_transactions(60s).ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(p->begin_transaction().ok());
    ASSERT_TRUE((i % 2 == 0 ? p->commit_transaction(30s) : p->abort_transaction(30s)).ok());
  }
  const Described d = describe(id);
  EXPECT_EQ(d.state, "Empty");
  EXPECT_EQ(d.epoch, 0);
  ASSERT_TRUE(p->begin_transaction().ok());
  ASSERT_EQ(p->produce(p->topic(topic).value(), "k", "v"), rk::Errc::kOk);
  ASSERT_TRUE(p->commit_transaction(30s).ok());
  std::vector<rt::KcatRecord> read;
  ASSERT_EQ(rt::kcat_read_topic(bootstrap_, topic, read, 1), "");
  EXPECT_EQ(read.size(), 1U);
}

// Reports polled until `n` came or 30 s passed; the count of each error.
std::map<rk::Errc, int> poll_reports(rk::Producer& p, int n) {
  std::map<rk::Errc, int> by_error;
  int got = 0;
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (got < n && std::chrono::steady_clock::now() < until) {
    rk::DeliveryReport rs[256];
    const std::size_t k = p.poll(rs);
    for (std::size_t i = 0; i < k; ++i) ++by_error[rs[i].error];
    got += static_cast<int>(k);
    if (k == 0) std::this_thread::sleep_for(1ms);
  }
  return by_error;
}

TEST_F(ProducerTransactions, CommittedRecordsAreReadOnceAndAbortedOnesNever) {
  const std::string id = rt::unique_topic("ringkafka-tx");
  const std::string topic = rt::unique_topic("tx-commit");
  ASSERT_TRUE(rt::create_topic(topic, 3));
  for (const char* codec : {"none", "zstd"}) {
    SCOPED_TRACE(codec);
    const std::string t = topic + "-" + codec;
    ASSERT_TRUE(rt::create_topic(t, 3));
    auto p = make(id + "-" + codec, {{"compression.type", codec}, {"linger.ms", "5"}});
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->init_transactions(60s).ok());
    const rk::Topic handle = p->topic(t).value();
    // Alternating: commit, abort, commit, abort, commit; 300 records each
    // over three partitions, keyed by transaction and number.
    int committed = 0;
    int total = 0;
    for (int txn = 0; txn < 5; ++txn) {
      ASSERT_TRUE(p->begin_transaction().ok());
      for (int i = 0; i < 300; ++i) {
        const std::string key = std::to_string(txn) + ":" + std::to_string(i);
        ASSERT_EQ(p->produce(handle, key, "value", {.partition = i % 3}),
                  rk::Errc::kOk);
      }
      total += 300;
      if (txn % 2 == 0) {
        auto r = p->commit_transaction(30s);
        ASSERT_TRUE(r.ok()) << r.error().message;
        committed += 300;
      } else {
        // Let some go out first, so the abort has records in the log too.
        std::this_thread::sleep_for(50ms);
        auto r = p->abort_transaction(30s);
        ASSERT_TRUE(r.ok()) << r.error().message;
      }
    }
    const auto reports = poll_reports(*p, total);
    EXPECT_EQ(reports.at(rk::Errc::kOk) + (reports.count(rk::Errc::kAborted) != 0U
                                               ? reports.at(rk::Errc::kAborted)
                                               : 0),
              total);
    std::vector<rt::KcatRecord> read;
    ASSERT_EQ(rt::kcat_read_topic(bootstrap_, t, read, static_cast<std::size_t>(committed)), "");
    ASSERT_EQ(read.size(), static_cast<std::size_t>(committed));
    std::set<std::string> keys;
    std::map<int, int> last_in_partition;
    for (const auto& r : read) {
      ASSERT_TRUE(r.key);
      const int txn = std::stoi(r.key->substr(0, r.key->find(':')));
      EXPECT_EQ(txn % 2, 0) << "a record of aborted transaction " << txn << " was read";
      EXPECT_TRUE(keys.insert(*r.key).second) << "read twice: " << *r.key;
      // In produce order within a partition.
      const int order = txn * 1000 + std::stoi(r.key->substr(r.key->find(':') + 1));
      auto [it, fresh] = last_in_partition.try_emplace(r.partition, -1);
      EXPECT_LT(it->second, order) << "out of order in partition " << r.partition;
      it->second = order;
    }
    // read_uncommitted shows what the aborts left in the log as well.
    std::vector<rt::KcatRecord> all;
    ASSERT_EQ(rt::kcat_read_topic(bootstrap_, t, all, static_cast<std::size_t>(committed), 10s,
                                  "read_uncommitted"),
              "");
    const int aborted_in_log = static_cast<int>(all.size()) - committed;
    EXPECT_GE(aborted_in_log, 0);
    const int aborted_reports =
        reports.count(rk::Errc::kAborted) != 0U ? reports.at(rk::Errc::kAborted) : 0;
    // Every aborted record was either reported kAborted (never sent) or is
    // in the log, delivered and then aborted there.
    EXPECT_EQ(aborted_in_log + aborted_reports, total - committed);
    std::cerr << codec << ": " << committed << " committed, " << aborted_in_log
              << " aborted in the log, " << aborted_reports << " aborted before sending\n";
    if (std::string_view(codec) == "zstd") {
      // The Java consumer, which filters aborted transactions by its own
      // code, agrees with kcat on both levels: the same records.
      const auto same = [](const std::vector<rt::JavaRecord>& java,
                           const std::vector<rt::KcatRecord>& kcat) {
        std::set<std::pair<std::int32_t, std::int64_t>> a, b;
        for (const auto& r : java) a.emplace(r.partition, r.offset);
        for (const auto& r : kcat) b.emplace(r.partition, r.offset);
        return a == b && java.size() == a.size();
      };
      std::vector<rt::JavaRecord> java_committed, java_all;
      ASSERT_EQ(rt::java_read_topic(t, "read_committed", java_committed, read.size()), "");
      EXPECT_EQ(java_committed.size(), read.size());
      EXPECT_TRUE(same(java_committed, read)) << "Java read_committed differs from kcat's";
      ASSERT_EQ(rt::java_read_topic(t, "read_uncommitted", java_all, all.size()), "");
      EXPECT_EQ(java_all.size(), all.size());
      EXPECT_TRUE(same(java_all, all)) << "Java read_uncommitted differs from kcat's";
    }
    const Described d = describe(id + "-" + codec);
    EXPECT_EQ(d.state, "CompleteCommit");
    if (transaction_version() >= 2) {
      EXPECT_EQ(d.epoch, 5) << "transaction.version 2: one epoch per transaction";
    } else {
      EXPECT_EQ(d.epoch, 0) << "transaction.version 1: the epoch stays";
    }
  }
}

// A record the broker refuses (a batch over the topic's max.message.bytes)
// fails its transaction: commit is refused as abortable, the abort goes
// through, and the next transaction commits under a new epoch (version 2:
// each EndTxn gives one; version 1: InitProducerId(id, epoch) after the
// abort, KIP-360).  kcat under read_committed reads the new transaction
// only.
TEST_F(ProducerTransactions, ARefusedRecordFailsItsTransactionAndTheNextOneCommits) {
  const std::string id = rt::unique_topic("ringkafka-tx");
  const std::string topic = rt::unique_topic("tx-refused");
  ASSERT_TRUE(rt::create_topic(topic, 2, 1, {"max.message.bytes=1024"}));
  auto p = make(id, {{"linger.ms", "5"}});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->init_transactions(60s).ok());
  const rk::Topic handle = p->topic(topic).value();

  ASSERT_TRUE(p->begin_transaction().ok());
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(p->produce(handle, "old", "small", {.partition = i % 2}),
              rk::Errc::kOk);
  }
  const std::string big(2000, 'x');
  ASSERT_EQ(p->produce(handle, "old", big, {.partition = 0}), rk::Errc::kOk);
  auto commit = p->commit_transaction(30s);
  ASSERT_FALSE(commit.ok());
  EXPECT_TRUE(commit.error().txn_requires_abort()) << commit.error().message;
  auto abort = p->abort_transaction(30s);
  ASSERT_TRUE(abort.ok()) << abort.error().message;
  // The refused batch's records fail; the others were delivered, then
  // aborted in the log.
  auto failed = poll_reports(*p, 11);
  EXPECT_GE(failed[rk::Errc::kBroker], 1);
  EXPECT_EQ(failed[rk::Errc::kOk] + failed[rk::Errc::kBroker], 11);

  ASSERT_TRUE(p->begin_transaction().ok());
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(p->produce(handle, "new", std::to_string(i), {.partition = i % 2}),
              rk::Errc::kOk);
  }
  auto again = p->commit_transaction(30s);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(poll_reports(*p, 10).at(rk::Errc::kOk), 10);

  std::vector<rt::KcatRecord> read;
  ASSERT_EQ(rt::kcat_read_topic(bootstrap_, topic, read, 10), "");
  ASSERT_EQ(read.size(), 10U);
  for (const auto& r : read) EXPECT_EQ(r.key.value_or(""), "new");
  const Described d = describe(id);
  EXPECT_EQ(d.state, "CompleteCommit");
  EXPECT_EQ(d.epoch, transaction_version() >= 2 ? 2 : 1)
      << "a new epoch after the abort (version 1: KIP-360's bump; 2: every EndTxn)";
}

// Consume-transform-produce: offsets sent with a transaction are the
// group's committed offsets once it commits (Kafka's ConsumerGroupCommand,
// tools/kafka-local group-offsets), and not if it aborts.  The group has
// no live member here (generation -1, no member id), as for a consumer
// without group management.
TEST_F(ProducerTransactions, OffsetsSentWithATransactionCommitWithIt) {
  const std::string id = rt::unique_topic("ringkafka-tx");
  const std::string group = rt::unique_topic("ctp-group");
  const std::string input = rt::unique_topic("ctp-in");
  const std::string output = rt::unique_topic("ctp-out");
  ASSERT_TRUE(rt::create_topic(input, 2));
  ASSERT_TRUE(rt::create_topic(output, 2));
  auto p = make(id, {{"linger.ms", "5"}});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->init_transactions(60s).ok());
  const rk::Topic out = p->topic(output).value();
  rk::ConsumerGroupMetadata meta;
  meta.group_id = group;

  // Records "consumed" up to offset 20 and 5 of the input's partitions.
  ASSERT_TRUE(p->begin_transaction().ok());
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(p->produce(out, std::to_string(i), "transformed"), rk::Errc::kOk);
  }
  const rk::ConsumedOffset first[] = {{input, 0, 20}, {input, 1, 5}};
  auto sent = p->send_offsets_to_transaction(first, meta, 30s);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  auto commit = p->commit_transaction(30s);
  ASSERT_TRUE(commit.ok()) << commit.error().message;
  EXPECT_EQ(rt::group_offsets(group),
            (std::map<std::pair<std::string, int>, long long>{{{input, 0}, 20}, {{input, 1}, 5}}));

  // Further, then aborted: the committed offsets stay.
  ASSERT_TRUE(p->begin_transaction().ok());
  ASSERT_EQ(p->produce(out, "x", "aborted"), rk::Errc::kOk);
  const rk::ConsumedOffset second[] = {{input, 0, 30}};
  ASSERT_TRUE(p->send_offsets_to_transaction(second, meta, 30s).ok());
  ASSERT_TRUE(p->abort_transaction(30s).ok());
  EXPECT_EQ(rt::group_offsets(group).at({input, 0}), 20);

  // Offsets alone: the transaction still commits them.
  ASSERT_TRUE(p->begin_transaction().ok());
  const rk::ConsumedOffset third[] = {{input, 1, 9}};
  ASSERT_TRUE(p->send_offsets_to_transaction(third, meta, 30s).ok());
  ASSERT_TRUE(p->commit_transaction(30s).ok());
  EXPECT_EQ(rt::group_offsets(group).at({input, 1}), 9);

  // The output holds the first transaction's ten records only.
  std::vector<rt::KcatRecord> read;
  ASSERT_EQ(rt::kcat_read_topic(bootstrap_, output, read, 10), "");
  EXPECT_EQ(read.size(), 10U);
}

// KIP-447 on real Kafka, with the metadata of a real member (Java's
// consumer): offsets sent with its generation and member id are committed;
// once a second member has joined and the group has a new generation, the
// old one is refused (a consumer fenced by a rebalance would present it),
// the refusal makes the transaction abortable and says why, and the
// committed offset stays; the member's new generation is taken again.
TEST_F(ProducerTransactions, AMembersGenerationIsTakenAndAStaleOneRefused) {
  const std::string id = rt::unique_topic("ringkafka-tx");
  const std::string group = rt::unique_topic("ctp-live");
  const std::string input = rt::unique_topic("ctp-live-in");
  ASSERT_TRUE(rt::create_topic(input, 2));
  rt::GroupMember first(group, input);
  const rk::ConsumerGroupMetadata joined = first.wait_generation(0);
  ASSERT_GT(joined.generation_id, 0) << "the Java consumer never joined";
  std::cerr << "member " << joined.member_id << " generation " << joined.generation_id << "\n";

  auto p = make(id);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->init_transactions(60s).ok());
  const auto send = [&](long long offset, const rk::ConsumerGroupMetadata& m) {
    EXPECT_TRUE(p->begin_transaction().ok());
    const rk::ConsumedOffset offsets[] = {{input, 0, offset}};
    return p->send_offsets_to_transaction(offsets, m, 30s);
  };
  auto taken = send(5, joined);
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  ASSERT_TRUE(p->commit_transaction(30s).ok());
  EXPECT_EQ(rt::group_offsets(group).at({input, 0}), 5);

  // A second member: the group rebalances to a new generation.
  rt::GroupMember second(group, input);
  const rk::ConsumerGroupMetadata now = first.wait_generation(joined.generation_id);
  ASSERT_GT(now.generation_id, joined.generation_id) << "no rebalance after the second member joined";
  EXPECT_EQ(now.member_id, joined.member_id);

  auto stale = send(9, joined);
  ASSERT_FALSE(stale.ok());
  EXPECT_TRUE(stale.error().txn_requires_abort()) << stale.error().message;
  EXPECT_NE(stale.error().message.find("ILLEGAL_GENERATION"), std::string::npos)
      << stale.error().message;
  std::cerr << "refused: " << stale.error().message << "\n";
  ASSERT_TRUE(p->abort_transaction(30s).ok());
  EXPECT_EQ(rt::group_offsets(group).at({input, 0}), 5);

  auto current = send(9, now);
  ASSERT_TRUE(current.ok()) << current.error().message;
  ASSERT_TRUE(p->commit_transaction(30s).ok());
  EXPECT_EQ(rt::group_offsets(group).at({input, 0}), 9);
}

// --- failure scenarios (../shared/reference/transactions.md) ---------------

// An open transaction holds the last stable offset: a plain record written
// after it on the same partition stays invisible to read_committed
// consumers until the transaction ends.
TEST_F(ProducerTransactions, AnOpenTransactionHoldsTheLastStableOffset) {
  const std::string id = rt::unique_topic("ringkafka-tx");
  const std::string topic = rt::unique_topic("tx-lso");
  ASSERT_TRUE(rt::create_topic(topic, 1));
  auto txn = make(id);
  ASSERT_TRUE(txn);
  ASSERT_TRUE(txn->init_transactions(60s).ok());
  ASSERT_TRUE(txn->begin_transaction().ok());
  const rk::Topic t = txn->topic(topic).value();
  ASSERT_EQ(txn->produce(t, "txn", "open"), rk::Errc::kOk);
  ASSERT_EQ(txn->flush(30s), rk::Errc::kOk);  // in the log, not committed

  rk::Config plain_config;
  plain_config.bootstrap_servers(bootstrap_);
  auto plain = rk::Producer::create(plain_config);
  ASSERT_TRUE(plain.ok());
  ASSERT_EQ((*plain)->produce((*plain)->topic(topic).value(), "plain", "after"), rk::Errc::kOk);
  ASSERT_EQ((*plain)->flush(30s), rk::Errc::kOk);

  std::vector<rt::KcatRecord> held;
  (void)rt::kcat_read_topic(bootstrap_, topic, held, 1, 3s);
  EXPECT_TRUE(held.empty()) << "read_committed read past an open transaction";
  std::vector<rt::KcatRecord> uncommitted;
  ASSERT_EQ(rt::kcat_read_topic(bootstrap_, topic, uncommitted, 2, 10s, "read_uncommitted"), "");
  EXPECT_EQ(uncommitted.size(), 2U);

  ASSERT_TRUE(txn->commit_transaction(30s).ok());
  std::vector<rt::KcatRecord> read;
  ASSERT_EQ(rt::kcat_read_topic(bootstrap_, topic, read, 2), "");
  ASSERT_EQ(read.size(), 2U);
  EXPECT_EQ(read[0].key.value_or(""), "txn");
  EXPECT_EQ(read[1].key.value_or(""), "plain");
}

// An aborted transaction larger than a consumer's fetch (5 MB of records
// in the log, kcat's fetches are 1 MB) is skipped whole; the committed one
// after it is read.
TEST_F(ProducerTransactions, AnAbortedTransactionLargerThanAFetchIsSkipped) {
  const std::string id = rt::unique_topic("ringkafka-tx");
  const std::string topic = rt::unique_topic("tx-big-abort");
  ASSERT_TRUE(rt::create_topic(topic, 1));
  auto p = make(id, {{"linger.ms", "5"}});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->init_transactions(60s).ok());
  const rk::Topic t = p->topic(topic).value();
  const std::string big(1000, 'a');
  ASSERT_TRUE(p->begin_transaction().ok());
  for (int i = 0; i < 5000; ++i) {
    rk::Errc e;
    while (rk::is_full(e = p->produce(t, "aborted", big))) {
      (void)poll_reports(*p, 1);
    }
    ASSERT_EQ(e, rk::Errc::kOk);
  }
  ASSERT_EQ(p->flush(60s), rk::Errc::kOk);  // all of it in the log
  ASSERT_TRUE(p->abort_transaction(30s).ok());
  ASSERT_TRUE(p->begin_transaction().ok());
  for (int i = 0; i < 10; ++i) ASSERT_EQ(p->produce(t, "committed", std::to_string(i)), rk::Errc::kOk);
  ASSERT_TRUE(p->commit_transaction(30s).ok());
  const auto reports = poll_reports(*p, 5010);
  EXPECT_EQ(reports.at(rk::Errc::kOk), 5010) << "every record reached the log";
  std::vector<rt::KcatRecord> read;
  ASSERT_EQ(rt::kcat_read_topic(bootstrap_, topic, read, 10, 30s), "");
  ASSERT_EQ(read.size(), 10U);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(read[static_cast<std::size_t>(i)].key.value_or(""), "committed");
    EXPECT_EQ(read[static_cast<std::size_t>(i)].value.value_or(""), std::to_string(i));
  }
}

// The coordinator aborts a transaction open longer than
// transaction.timeout.ms (on its scan, every
// transaction.abort.timed.out.transaction.cleanup.interval.ms: 1 s under
// tools/test, 10 s by default) and bumps the epoch: the commit that comes
// too late fails with an error that says so, never hangs, and nothing of
// the transaction is read.
TEST_F(ProducerTransactions, ATransactionOpenPastItsTimeoutIsAbortedByTheCoordinator) {
  const std::string id = rt::unique_topic("ringkafka-tx");
  const std::string topic = rt::unique_topic("tx-timeout");
  ASSERT_TRUE(rt::create_topic(topic, 1));
  rk::Config config;
  config.bootstrap_servers(bootstrap_);
  ASSERT_TRUE(config.set("transactional.id", id).ok());
  ASSERT_TRUE(config.set("transaction.timeout.ms", "1000").ok());
  auto made = rk::Producer::create(config);
  ASSERT_TRUE(made.ok());
  rk::Producer& p = **made;
  ASSERT_TRUE(p.init_transactions(60s).ok());
  ASSERT_TRUE(p.begin_transaction().ok());
  ASSERT_EQ(p.produce(p.topic(topic).value(), "late", "v"), rk::Errc::kOk);
  ASSERT_EQ(p.flush(30s), rk::Errc::kOk);
  // Until the coordinator has aborted it.
  for (int i = 0; i < 150 && describe(id).state != "CompleteAbort"; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(describe(id).state, "CompleteAbort");
  const auto started = std::chrono::steady_clock::now();
  auto commit = p.commit_transaction(30s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  ASSERT_FALSE(commit.ok());
  std::cerr << "late commit: " << commit.error().message << "\n";
  EXPECT_FALSE(commit.error().retriable()) << commit.error().message;
  EXPECT_NE(commit.error().message.find("transaction.timeout.ms = 1000 ms"), std::string::npos)
      << commit.error().message;
  std::vector<rt::KcatRecord> read;
  (void)rt::kcat_read_topic(bootstrap_, topic, read, 1, 3s);
  EXPECT_TRUE(read.empty());
}

// A process killed inside a transaction: a new instance with the same
// transactional.id fences it, its open transaction is aborted, and only
// the new instance's records are read.  The child is this binary again
// (ProducerTransactionsChild below), killed with SIGKILL once its records
// are in the log.
TEST_F(ProducerTransactions, AKilledInstanceIsRecoveredByTheNextOne) {
  const std::string id = rt::unique_topic("ringkafka-tx");
  const std::string topic = rt::unique_topic("tx-killed");
  ASSERT_TRUE(rt::create_topic(topic, 2));
  const std::string ready = "/tmp/" + topic + ".ready";
  const auto child = rt::run_command(
      "RINGKAFKA_TXN_CHILD='" + id + " " + topic + " " + ready + "' /proc/" +
      std::to_string(::getpid()) + "/exe --gtest_filter=ProducerTransactionsChild.* "
      ">/dev/null 2>&1 & echo $!");
  ASSERT_EQ(child.exit_code, 0);
  bool up = false;
  for (int i = 0; i < 600 && !up; ++i) {
    up = rt::run_command("test -e '" + ready + "'").exit_code == 0;
    if (!up) std::this_thread::sleep_for(100ms);
  }
  (void)rt::run_command("kill -9 " + child.output + " 2>/dev/null; rm -f '" + ready + "'");
  ASSERT_TRUE(up) << "the child never had its records in the log";
  EXPECT_EQ(describe(id).state, "Ongoing");

  auto next = make(id);
  ASSERT_TRUE(next);
  ASSERT_TRUE(next->init_transactions(60s).ok());  // aborts the child's transaction
  ASSERT_TRUE(next->begin_transaction().ok());
  const rk::Topic t = next->topic(topic).value();
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(next->produce(t, "next", std::to_string(i), {.partition = i % 2}),
              rk::Errc::kOk);
  }
  ASSERT_TRUE(next->commit_transaction(30s).ok());
  std::vector<rt::KcatRecord> read;
  ASSERT_EQ(rt::kcat_read_topic(bootstrap_, topic, read, 10), "");
  ASSERT_EQ(read.size(), 10U);
  for (const auto& r : read) EXPECT_EQ(r.key.value_or(""), "next");
  std::vector<rt::KcatRecord> all;
  ASSERT_EQ(rt::kcat_read_topic(bootstrap_, topic, all, 110, 10s, "read_uncommitted"), "");
  EXPECT_EQ(all.size(), 110U) << "the child's 100 records are in the log, aborted";
}

// The child of the test above; skipped unless it is that child.
TEST(ProducerTransactionsChild, ProducesThenWaitsToBeKilled) {
  const char* spec = std::getenv("RINGKAFKA_TXN_CHILD");
  if (spec == nullptr) GTEST_SKIP() << "run by AKilledInstanceIsRecoveredByTheNextOne";
  std::istringstream in(spec);
  std::string id, topic, ready;
  in >> id >> topic >> ready;
  rk::Config config;
  config.bootstrap_servers(rt::broker_bootstrap());
  ASSERT_TRUE(config.set("transactional.id", id).ok());
  auto made = rk::Producer::create(config);
  ASSERT_TRUE(made.ok());
  rk::Producer& p = **made;
  ASSERT_TRUE(p.init_transactions(60s).ok());
  ASSERT_TRUE(p.begin_transaction().ok());
  const rk::Topic t = p.topic(topic).value();
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(p.produce(t, "child", std::to_string(i), {.partition = i % 2}),
              rk::Errc::kOk);
  }
  ASSERT_EQ(p.flush(30s), rk::Errc::kOk);
  (void)rt::run_command("touch '" + ready + "'");
  std::this_thread::sleep_for(120s);  // killed long before
}

}  // namespace
