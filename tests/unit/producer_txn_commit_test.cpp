// begin / commit / abort against the test broker (transaction.version 2):
// commit delivers every record first, even lingering ones; the batches are
// transactional and a new epoch (with sequences from 0) follows every
// EndTxn; abort reports unsent records kAborted; an empty transaction ends
// without a request; a failed record makes the commit abortable; fencing
// is fatal; misuse is refused.  (Real Kafka, checked by kcat:
// tests/integration/producer_transactions_test.cpp.)
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ringkafka/producer.h"
#include "txn_fixture.h"
#include "wire/error_code.h"

namespace rk = ringkafka;
namespace tb = ringkafka::test_broker;
using namespace std::chrono_literals;

namespace {

using rk::testing::kTransactionalBit;
using Fixture = rk::testing::TxnFixture;

TEST(ProducerTxnCommit, CommitDeliversEveryRecordThenEndsAtTheCoordinator) {
  Fixture f;
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(f.p->begin_transaction().ok());
    for (int i = 0; i < 30; ++i) {
      const std::string key = std::to_string(i);
      ASSERT_EQ(f.p->produce(f.topic, key, "v", {.partition = i % 3}),
                rk::Errc::kOk);
    }
    // linger.ms is a minute: only the commit sends them.
    auto r = f.p->commit_transaction(10s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(f.p->in_flight(), 0U) << "commit returns with every report in";
    EXPECT_EQ(f.reports(30 * (round + 1))[rk::Errc::kOk], 30 * (round + 1));
    // Refused again until the next begin.
    EXPECT_EQ(f.p->produce(f.topic, "k", "v"), rk::Errc::kState);
  }
  EXPECT_EQ(f.broker->transaction_ends(),
            (std::vector<std::pair<std::string, bool>>{{"tx", true}, {"tx", true}}));
  for (int part = 0; part < 3; ++part) {
    const auto batches = f.broker->batches("orders", part);
    ASSERT_EQ(batches.size(), 2U) << "one batch per transaction and partition";
    for (const auto& b : batches) EXPECT_NE(b.header.attributes & kTransactionalBit, 0);
    // EndTxn v5 bumped the epoch; the next transaction starts at sequence 0.
    EXPECT_EQ(batches[0].header.producer_epoch + 1, batches[1].header.producer_epoch);
    EXPECT_EQ(batches[1].header.base_sequence, 0);
  }
}

TEST(ProducerTxnCommit, AbortReportsRecordsNotSentAsAborted) {
  Fixture f;
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  for (int i = 0; i < 20; ++i) ASSERT_EQ(f.p->produce(f.topic, "k", "v"), rk::Errc::kOk);
  auto r = f.p->abort_transaction(10s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(f.reports(20)[rk::Errc::kAborted], 20);
  EXPECT_EQ(f.broker->transaction_ends(),
            (std::vector<std::pair<std::string, bool>>{{"tx", false}}));
  for (int part = 0; part < 3; ++part) EXPECT_TRUE(f.broker->batches("orders", part).empty());
  // And the producer goes on.
  ASSERT_TRUE(f.p->begin_transaction().ok());
  ASSERT_EQ(f.p->produce(f.topic, "k", "after"), rk::Errc::kOk);
  ASSERT_TRUE(f.p->commit_transaction(10s).ok());
  EXPECT_EQ(f.reports(21)[rk::Errc::kOk], 1);
}

TEST(ProducerTxnCommit, AnEmptyTransactionEndsWithoutARequest) {
  Fixture f;
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  ASSERT_TRUE(f.p->commit_transaction(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  ASSERT_TRUE(f.p->abort_transaction(10s).ok());
  EXPECT_TRUE(f.broker->transaction_ends().empty());
}

TEST(ProducerTxnCommit, AFailedRecordMakesTheCommitAbortable) {
  Fixture f;
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  ASSERT_EQ(f.p->produce(f.topic, "k", "fine"), rk::Errc::kOk);
  // The topic has 3 partitions: this record fails in its report.
  ASSERT_EQ(f.p->produce(f.topic, "k", "bad", {.partition = 7}), rk::Errc::kOk);
  auto r = f.p->commit_transaction(10s);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().txn_requires_abort()) << r.error().message;
  EXPECT_NE(r.error().message.find("1 of the transaction's records failed"), std::string::npos)
      << r.error().message;
  // Only abort is left.
  auto again = f.p->commit_transaction(1s);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.error().txn_requires_abort());
  EXPECT_EQ(f.p->produce(f.topic, "k", "v"), rk::Errc::kState);
  ASSERT_TRUE(f.p->abort_transaction(10s).ok());
  EXPECT_TRUE(f.broker->transaction_ends().size() == 1 && !f.broker->transaction_ends()[0].second);
  ASSERT_TRUE(f.p->begin_transaction().ok());
}

// A second instance's init bumps the epoch: the first one's EndTxn is
// refused with PRODUCER_FENCED, which nothing recovers from.
TEST(ProducerTxnCommit, AFencedProducerIsFatal) {
  Fixture f;
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  ASSERT_EQ(f.p->produce(f.topic, "k", "v"), rk::Errc::kOk);
  auto zombie_killer = tb::make_producer(rk::Config(), f.broker->bootstrap(), {{"transactional.id", "tx"}});
  ASSERT_TRUE(zombie_killer->init_transactions(10s).ok());
  auto r = f.p->commit_transaction(10s);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().fatal()) << r.error().message;
  EXPECT_NE(r.error().message.find("PRODUCER_FENCED"), std::string::npos) << r.error().message;
  EXPECT_NE(f.p->fatal_error().find("PRODUCER_FENCED"), std::string::npos);
}

// Produce answers inside a transaction: a sequence or epoch error makes
// the transaction abortable at once (no bump inside it), fencing is fatal.
TEST(ProducerTxnCommit, ProduceErrorsMakeItAbortableOrFatal) {
  {
    Fixture f;
    ASSERT_TRUE(f.p->init_transactions(10s).ok());
    ASSERT_TRUE(f.p->begin_transaction().ok());
    f.broker->fail_produce("orders", 0, 47, 1);  // INVALID_PRODUCER_EPOCH: the transaction timed out
    for (int part = 0; part < 3; ++part) {
      ASSERT_EQ(f.p->produce(f.topic, "k", "v", {.partition = part}), rk::Errc::kOk);
    }
    auto r = f.p->commit_transaction(10s);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().txn_requires_abort()) << r.error().message;
    ASSERT_TRUE(f.p->abort_transaction(10s).ok());
    // The abort's new epoch starts over: the next transaction commits.
    ASSERT_TRUE(f.p->begin_transaction().ok());
    ASSERT_EQ(f.p->produce(f.topic, "k", "v", {.partition = 0}), rk::Errc::kOk);
    auto again = f.p->commit_transaction(10s);
    EXPECT_TRUE(again.ok()) << again.error().message;
  }
  {
    Fixture f;
    ASSERT_TRUE(f.p->init_transactions(10s).ok());
    ASSERT_TRUE(f.p->begin_transaction().ok());
    f.broker->fail_produce("orders", 1, 90, 1);  // PRODUCER_FENCED
    ASSERT_EQ(f.p->produce(f.topic, "k", "v", {.partition = 1}), rk::Errc::kOk);
    auto r = f.p->commit_transaction(10s);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().fatal()) << r.error().message;
    EXPECT_NE(f.p->fatal_error().find("PRODUCER_FENCED"), std::string::npos) << f.p->fatal_error();
  }
}

TEST(ProducerTxnCommit, RetriesACoordinatorThatIsBusy) {
  Fixture f;
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  ASSERT_EQ(f.p->produce(f.topic, "k", "v"), rk::Errc::kOk);
  f.broker->fail_end_txn(51, 2);  // CONCURRENT_TRANSACTIONS
  auto r = f.p->commit_transaction(10s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(f.broker->transaction_ends().size(), 1U);
}

TEST(ProducerTxnCommit, MisuseIsRefused) {
  Fixture f;
  auto early = f.p->begin_transaction();
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.error().message.find("init_transactions() has not been called"), std::string::npos);
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  auto no_txn = f.p->commit_transaction(1s);
  ASSERT_FALSE(no_txn.ok());
  EXPECT_EQ(no_txn.error().code, rk::Errc::kState);
  EXPECT_NE(no_txn.error().message.find("no transaction is open"), std::string::npos);
  ASSERT_TRUE(f.p->begin_transaction().ok());
  auto twice = f.p->begin_transaction();
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("a transaction is open"), std::string::npos);
}

// transaction.version 2: the next transaction's batches wait until the
// coordinator has completed the one before (DescribeTransactions), not at
// the broker, where Kafka would hold them for
// add.partitions.to.txn.retry.backoff.ms; the test broker counts a batch
// that came while the last transaction was completing.  A broker without
// DescribeTransactions gets them at once, as before.
TEST(ProducerTxnCommit, TheNextTransactionWaitsForTheLastToComplete) {
  for (const bool described : {true, false}) {
    SCOPED_TRACE(described ? "with DescribeTransactions" : "without");
    Fixture f(2, "tx", described);
    f.broker->set_transaction_completion(10ms);  // within the six probes (about 30 ms)
    ASSERT_TRUE(f.p->init_transactions(10s).ok());
    for (int t = 0; t < 4; ++t) {
      ASSERT_TRUE(f.p->begin_transaction().ok());
      for (int i = 0; i < 30; ++i) ASSERT_EQ(f.p->produce(f.topic, "k", "v"), rk::Errc::kOk);
      auto r = f.p->commit_transaction(10s);
      ASSERT_TRUE(r.ok()) << r.error().message;
    }
    EXPECT_EQ(f.reports(120).at(rk::Errc::kOk), 120);
    EXPECT_EQ(f.broker->transaction_ends().size(), 4U);
    if (described) {
      EXPECT_EQ(f.broker->early_transactional_batches(), 0);
      // At least one probe per ended transaction, a handful at most.
      EXPECT_GE(f.broker->describe_transactions_requests(), 4);
      EXPECT_LE(f.broker->describe_transactions_requests(), 4 * 6);
    } else {
      EXPECT_GT(f.broker->early_transactional_batches(), 0);
      EXPECT_EQ(f.broker->describe_transactions_requests(), 0);
    }
    EXPECT_TRUE(f.broker->validation_errors().empty());
  }
}

}  // namespace
