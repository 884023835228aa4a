// send_offsets_to_transaction() against the test broker, on both
// transaction protocols: the offsets reach the group coordinator (found
// for the group, on a node of its own) with the consumer's generation and
// member id, take effect when the transaction commits and never when it
// aborts; a transaction with offsets and no record still ends at the
// coordinator; a fenced consumer makes the transaction abortable; misuse
// is refused.  Under version 1 AddOffsetsToTxn comes first (the test
// broker refuses TxnOffsetCommit without it, and AddOffsetsToTxn or
// TxnOffsetCommit v5 under version 2).  Real Kafka:
// tests/integration/producer_transactions_test.cpp.
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "ringkafka/producer.h"
#include "txn_fixture.h"

namespace rk = ringkafka;
using namespace std::chrono_literals;

namespace {

using Committed = std::map<std::pair<std::string, std::int32_t>, std::int64_t>;

const rk::ConsumedOffset kOffsets[] = {{"in", 0, 42, 3, "m"}, {"in", 1, 7}, {"other", 0, 1}};

rk::ConsumerGroupMetadata group() {
  return rk::ConsumerGroupMetadata{std::string("g"), 5, std::string("member-1"), std::string()};
}

class ProducerTxnOffsets : public ::testing::TestWithParam<std::int16_t> {};

TEST_P(ProducerTxnOffsets, OffsetsCommitWithTheTransaction) {
  rk::testing::TxnFixture f(GetParam());
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  ASSERT_EQ(f.p->produce(f.topic, "k", "v"), rk::Errc::kOk);
  auto r = f.p->send_offsets_to_transaction(kOffsets, group(), 10s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(f.broker->committed_offsets("g").empty()) << "held until the commit";
  ASSERT_TRUE(f.p->commit_transaction(10s).ok());
  EXPECT_EQ(f.broker->committed_offsets("g"),
            (Committed{{{"in", 0}, 42}, {{"in", 1}, 7}, {{"other", 0}, 1}}));
  EXPECT_EQ(f.broker->offset_commits(),
            (std::vector<std::tuple<std::string, std::int32_t, std::string>>{{"g", 5, "member-1"}}));
  EXPECT_EQ(f.broker->validation_errors(), std::vector<std::string>{});
}

TEST_P(ProducerTxnOffsets, AnAbortDropsThem) {
  rk::testing::TxnFixture f(GetParam());
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  ASSERT_EQ(f.p->produce(f.topic, "k", "v"), rk::Errc::kOk);
  ASSERT_TRUE(f.p->send_offsets_to_transaction(kOffsets, group(), 10s).ok());
  ASSERT_TRUE(f.p->abort_transaction(10s).ok());
  EXPECT_TRUE(f.broker->committed_offsets("g").empty());
  EXPECT_EQ(f.broker->transaction_ends(),
            (std::vector<std::pair<std::string, bool>>{{"tx", false}}));
}

// Nothing produced, offsets only: the transaction must still end at the
// coordinator, or the offsets would never take effect.
TEST_P(ProducerTxnOffsets, ATransactionOfOffsetsAloneEndsAtTheCoordinator) {
  rk::testing::TxnFixture f(GetParam());
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  ASSERT_TRUE(f.p->send_offsets_to_transaction(kOffsets, group(), 10s).ok());
  ASSERT_TRUE(f.p->commit_transaction(10s).ok());
  EXPECT_EQ(f.broker->transaction_ends(),
            (std::vector<std::pair<std::string, bool>>{{"tx", true}}));
  EXPECT_EQ(f.broker->committed_offsets("g").size(), 3U);
  // The next transaction, records only, commits as usual.
  ASSERT_TRUE(f.p->begin_transaction().ok());
  ASSERT_EQ(f.p->produce(f.topic, "k", "v"), rk::Errc::kOk);
  ASSERT_TRUE(f.p->commit_transaction(10s).ok());
  EXPECT_EQ(f.broker->transaction_ends().size(), 2U);
}

// A rebalance fenced the consumer: the transaction can only abort.
TEST_P(ProducerTxnOffsets, AFencedConsumerMakesItAbortable) {
  rk::testing::TxnFixture f(GetParam());
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  ASSERT_EQ(f.p->produce(f.topic, "k", "v"), rk::Errc::kOk);
  f.broker->fail_txn_offset_commit(22, 1);  // ILLEGAL_GENERATION
  auto r = f.p->send_offsets_to_transaction(kOffsets, group(), 10s);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().txn_requires_abort());
  EXPECT_NE(r.error().message.find("ILLEGAL_GENERATION"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("rebalance"), std::string::npos) << r.error().message;
  auto commit = f.p->commit_transaction(1s);
  ASSERT_FALSE(commit.ok());
  EXPECT_TRUE(commit.error().txn_requires_abort());
  ASSERT_TRUE(f.p->abort_transaction(10s).ok());
  EXPECT_TRUE(f.broker->committed_offsets("g").empty());
}

// Sending offsets leaves the transaction as it was: a record that failed
// before still makes the commit abortable.
TEST_P(ProducerTxnOffsets, ARecordThatFailedBeforeStillCounts) {
  rk::testing::TxnFixture f(GetParam());
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  f.broker->fail_produce("orders", 0, 87, 1);  // INVALID_RECORD
  ASSERT_EQ(f.p->produce(f.topic, "k", "v", {.partition = 0}), rk::Errc::kOk);
  ASSERT_EQ(f.p->flush(10s), rk::Errc::kOk);
  ASSERT_EQ(f.reports(1)[rk::Errc::kBroker], 1);
  ASSERT_TRUE(f.p->send_offsets_to_transaction(kOffsets, group(), 10s).ok());
  auto commit = f.p->commit_transaction(10s);
  ASSERT_FALSE(commit.ok());
  EXPECT_TRUE(commit.error().txn_requires_abort()) << commit.error().message;
  ASSERT_TRUE(f.p->abort_transaction(10s).ok());
  EXPECT_TRUE(f.broker->committed_offsets("g").empty());
}

// Retriable answers are retried; NOT_COORDINATOR finds the group
// coordinator again.
TEST_P(ProducerTxnOffsets, RetriesAndFindsTheCoordinatorAgain) {
  rk::testing::TxnFixture f(GetParam());
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  ASSERT_TRUE(f.p->begin_transaction().ok());
  f.broker->fail_txn_offset_commit(14, 1);  // COORDINATOR_LOAD_IN_PROGRESS
  ASSERT_TRUE(f.p->send_offsets_to_transaction(kOffsets, group(), 10s).ok());
  f.broker->fail_txn_offset_commit(16, 1);  // NOT_COORDINATOR
  ASSERT_TRUE(f.p->send_offsets_to_transaction(kOffsets, group(), 10s).ok());
  ASSERT_TRUE(f.p->commit_transaction(10s).ok());
  EXPECT_EQ(f.broker->offset_commits().size(), 2U);
}

INSTANTIATE_TEST_SUITE_P(TransactionVersion, ProducerTxnOffsets, ::testing::Values(1, 2),
                         [](const auto& test) { return std::string(test.param == 1 ? "v1" : "v2"); });

// The group coordinator is not the transaction coordinator: each request
// goes to its own (the test broker refuses it anywhere else).
TEST(ProducerTxnOffsetsCluster, EachCoordinatorGetsItsOwnRequests) {
  for (const std::int16_t version : {std::int16_t{1}, std::int16_t{2}}) {
    SCOPED_TRACE(version);
    rk::test_broker::Config c{3, {{"orders", 3}}};
    c.transaction_version = version;
    rk::test_broker::TestBroker broker(c);
    ASSERT_EQ(broker.start(), "");
    broker.set_coordinator(2);
    broker.set_group_coordinator(3);
    auto p = rk::test_broker::make_producer(rk::Config(), broker.bootstrap(),
                                            {{"transactional.id", "tx"}, {"retry.backoff.ms", "20"}});
    ASSERT_TRUE(p->init_transactions(10s).ok());
    ASSERT_TRUE(p->begin_transaction().ok());
    auto r = p->send_offsets_to_transaction(kOffsets, group(), 10s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(p->commit_transaction(10s).ok());
    EXPECT_EQ(broker.committed_offsets("g").size(), 3U);
    EXPECT_EQ(broker.validation_errors(), std::vector<std::string>{});
  }
}

TEST(ProducerTxnOffsetsMisuse, IsRefusedWithTheReason) {
  rk::testing::TxnFixture f;
  ASSERT_TRUE(f.p->init_transactions(10s).ok());
  auto outside = f.p->send_offsets_to_transaction(kOffsets, group(), 1s);
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code, rk::Errc::kState);
  EXPECT_NE(outside.error().message.find("no transaction is open"), std::string::npos);
  ASSERT_TRUE(f.p->begin_transaction().ok());
  auto no_group = f.p->send_offsets_to_transaction(kOffsets, rk::ConsumerGroupMetadata{}, 1s);
  ASSERT_FALSE(no_group.ok());
  EXPECT_EQ(no_group.error().code, rk::Errc::kInvalidArgument);
  const rk::ConsumedOffset bad[] = {{"in", 0, -1}};
  auto negative = f.p->send_offsets_to_transaction(bad, group(), 1s);
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().message.find("offset -1"), std::string::npos)
      << negative.error().message;
  // None of it touched the transaction.
  EXPECT_TRUE(f.p->send_offsets_to_transaction({}, group(), 1s).ok());
  ASSERT_TRUE(f.p->commit_transaction(10s).ok());
  EXPECT_TRUE(f.broker->transaction_ends().empty()) << "nothing was in it";
}

}  // namespace
