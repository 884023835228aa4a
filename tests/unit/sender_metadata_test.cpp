// Leader epochs order what the sender learns about leaders (sender/metadata.h):
// an older leader is ignored, a newer one applied, an answer without epochs
// (Metadata before v7) applied as it comes, and the KIP-951 hint of a
// Produce answer only when strictly newer than what is known.
#include "sender/metadata.h"

#include <gtest/gtest.h>

namespace rs = ringkafka::sender;
using ringkafka::accumulator::PartitionState;

namespace {

TEST(SenderMetadata, AnOlderLeaderIsIgnoredANewerOneApplied) {
  PartitionState ps;
  EXPECT_TRUE(rs::learn_leader(ps, 1, 5));
  EXPECT_EQ(ps.leader, 1);
  EXPECT_EQ(ps.leader_epoch, 5);
  EXPECT_FALSE(rs::learn_leader(ps, 2, 4)) << "a lagging broker's metadata moved the leader back";
  EXPECT_EQ(ps.leader, 1);
  EXPECT_TRUE(rs::learn_leader(ps, 1, 5)) << "the same epoch again is still the leader";
  EXPECT_TRUE(rs::learn_leader(ps, 3, 6));
  EXPECT_EQ(ps.leader, 3);
  EXPECT_EQ(ps.leader_epoch, 6);
}

TEST(SenderMetadata, WithoutEpochsTheLeaderIsAppliedAsItComes) {
  PartitionState ps;
  EXPECT_TRUE(rs::learn_leader(ps, 1, -1));
  EXPECT_TRUE(rs::learn_leader(ps, 2, -1));
  EXPECT_EQ(ps.leader, 2);
  EXPECT_FALSE(rs::learn_leader(ps, -1, 3)) << "no leader is not a leader";
}

TEST(SenderMetadata, TheProduceHintNeedsANewerEpoch) {
  PartitionState ps;
  ASSERT_TRUE(rs::learn_leader(ps, 1, 5));
  EXPECT_FALSE(rs::learn_leader_hint(ps, 2, 5)) << "same epoch: not news";
  EXPECT_FALSE(rs::learn_leader_hint(ps, 2, 4));
  EXPECT_FALSE(rs::learn_leader_hint(ps, 2, -1)) << "a hint without an epoch";
  EXPECT_EQ(ps.leader, 1);
  EXPECT_TRUE(rs::learn_leader_hint(ps, 2, 6));
  EXPECT_EQ(ps.leader, 2);
  EXPECT_EQ(ps.leader_epoch, 6);
}

}  // namespace
