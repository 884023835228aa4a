// Transactions on the first protocol (transaction.version 1: Kafka 3.x, and
// 4.x formatted so), against the test broker, which refuses a
// transactional batch to a partition not added, Produce v12 and EndTxn v5
// under version 1, and EndTxn for a transaction with no partition (as
// Kafka does).  Each partition is added before its first batch of each
// transaction; the epoch stays from one transaction to the next; a
// refused add makes the commit abortable; an abort after a failed batch
// renews the epoch with InitProducerId(id, epoch) (KIP-360).  Real Kafka:
// tests/integration/producer_transactions_test.cpp, run against 3.9.1 by
// tests/tools/kafka3_compat_test.sh.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ringkafka/producer.h"
#include "txn_fixture.h"

namespace rk = ringkafka;
using rk::testing::kTransactionalBit;
using namespace std::chrono_literals;

namespace {

struct V1 : rk::testing::TxnFixture {
  V1() : TxnFixture(1) {}
  void produce(int count, const std::string& value = "v") {
    for (int i = 0; i < count; ++i) {
      ASSERT_EQ(p->produce(topic, std::to_string(i), value, {.partition = i % 3}),
                rk::Errc::kOk);
    }
  }
};

TEST(ProducerTxnV1, EachPartitionIsAddedBeforeItsFirstBatchAndTheEpochStays) {
  V1 f;
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(f.p->begin_transaction().ok());
    f.produce(30);
    auto r = f.p->commit_transaction(10s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(f.reports(30 * (round + 1))[rk::Errc::kOk], 30 * (round + 1));
  }
  // Every batch belonged to its transaction: no Produce v12, no EndTxn v5,
  // no batch to a partition not added.
  EXPECT_EQ(f.broker->validation_errors(), std::vector<std::string>{});
  EXPECT_EQ(f.broker->transaction_ends(),
            (std::vector<std::pair<std::string, bool>>{{"tx", true}, {"tx", true}}));
  // Three partitions, added again in the second transaction.
  EXPECT_EQ(f.broker->partitions_added().size(), 6U);
  EXPECT_EQ(f.broker->epoch_bumps(), 0);
  for (int part = 0; part < 3; ++part) {
    const auto batches = f.broker->batches("orders", part);
    ASSERT_EQ(batches.size(), 2U);
    for (const auto& b : batches) EXPECT_NE(b.header.attributes & kTransactionalBit, 0);
    // The same epoch; sequences go on from the first transaction.
    EXPECT_EQ(batches[0].header.producer_epoch, batches[1].header.producer_epoch);
    EXPECT_EQ(batches[1].header.base_sequence, 10);
  }
}

// Records purged before their partition was added never reached the
// coordinator: the abort ends locally (EndTxn would be INVALID_TXN_STATE).
TEST(ProducerTxnV1, AnAbortBeforeAnyAddEndsWithoutARequest) {
  V1 f;
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  f.broker->fail_add_partitions(51, 1000);  // CONCURRENT_TRANSACTIONS: never added
  f.produce(9);
  std::this_thread::sleep_for(50ms);
  auto r = f.p->abort_transaction(10s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(f.reports(9)[rk::Errc::kAborted], 9);
  EXPECT_TRUE(f.broker->transaction_ends().empty());
  EXPECT_TRUE(f.broker->partitions_added().empty());
  // The next transaction adds its partitions.
  f.broker->fail_add_partitions(0, 0);
  ASSERT_TRUE(f.p->begin_transaction().ok());
  f.produce(3);
  ASSERT_TRUE(f.p->commit_transaction(10s).ok());
  EXPECT_EQ(f.reports(12)[rk::Errc::kOk], 3);
  EXPECT_EQ(f.broker->partitions_added().size(), 3U);
}

TEST(ProducerTxnV1, ARefusedAddMakesTheCommitAbortable) {
  V1 f;
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  f.broker->fail_add_partitions(29, 1);  // TOPIC_AUTHORIZATION_FAILED
  f.produce(6);
  auto commit = f.p->commit_transaction(10s);
  ASSERT_FALSE(commit.ok());
  EXPECT_TRUE(commit.error().txn_requires_abort()) << commit.error().message;
  EXPECT_NE(commit.error().message.find("TOPIC_AUTHORIZATION_FAILED"), std::string::npos)
      << commit.error().message;
  auto abort = f.p->abort_transaction(10s);
  ASSERT_TRUE(abort.ok()) << abort.error().message;
  EXPECT_EQ(f.reports(6)[rk::Errc::kAborted], 6);
  EXPECT_EQ(f.broker->validation_errors(), std::vector<std::string>{});
  // And the producer goes on.
  ASSERT_TRUE(f.p->begin_transaction().ok());
  f.produce(3);
  ASSERT_TRUE(f.p->commit_transaction(10s).ok());
  EXPECT_EQ(f.reports(9)[rk::Errc::kOk], 3);
}

// A batch that failed leaves a gap in its partition's sequences: after
// the abort, InitProducerId with the producer's own id and epoch renews
// the epoch (never inside the transaction), and sequences start at 0.
TEST(ProducerTxnV1, AnAbortAfterAFailedBatchRenewsTheEpoch) {
  V1 f;
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  f.produce(6);
  ASSERT_TRUE(f.p->commit_transaction(10s).ok());
  ASSERT_EQ(f.reports(6)[rk::Errc::kOk], 6);
  const std::int16_t epoch = f.broker->batches("orders", 0).at(0).header.producer_epoch;

  ASSERT_TRUE(f.p->begin_transaction().ok());
  f.broker->fail_produce("orders", 0, 87, 1);  // INVALID_RECORD: the batch fails
  f.produce(6);
  auto commit = f.p->commit_transaction(10s);
  ASSERT_FALSE(commit.ok());
  EXPECT_TRUE(commit.error().txn_requires_abort()) << commit.error().message;
  EXPECT_EQ(f.broker->epoch_bumps(), 0) << "no bump inside the transaction";
  ASSERT_TRUE(f.p->abort_transaction(10s).ok());
  EXPECT_EQ(f.broker->epoch_bumps(), 1);

  ASSERT_TRUE(f.p->begin_transaction().ok());
  f.produce(3);
  ASSERT_TRUE(f.p->commit_transaction(10s).ok());
  for (int part = 0; part < 3; ++part) {
    const auto batches = f.broker->batches("orders", part);
    ASSERT_FALSE(batches.empty());
    EXPECT_EQ(batches.back().header.producer_epoch, epoch + 1) << "partition " << part;
    EXPECT_EQ(batches.back().header.base_sequence, 0) << "partition " << part;
  }
  EXPECT_EQ(f.broker->validation_errors(), std::vector<std::string>{});
}

// An abort with no failure keeps the epoch.
TEST(ProducerTxnV1, AnAbortWithoutFailuresKeepsTheEpoch) {
  V1 f;
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  f.produce(3);
  ASSERT_EQ(f.p->flush(10s), rk::Errc::kOk);
  ASSERT_TRUE(f.p->abort_transaction(10s).ok());
  EXPECT_EQ(f.broker->transaction_ends(),
            (std::vector<std::pair<std::string, bool>>{{"tx", false}}));
  EXPECT_EQ(f.broker->epoch_bumps(), 0);
}

}  // namespace
