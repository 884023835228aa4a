// The coordinator lookup (sender/coordinator.h) without a network: asked
// once, known from a good answer, asked again after a retriable error (not
// before retry.backoff.ms), at once after a dropped request, again when the
// coordinator says it is not one any more, and fatal when not allowed.
#include "sender/coordinator.h"

#include <gtest/gtest.h>

namespace rs = ringkafka::sender;
namespace w = ringkafka::wire;
using L = rs::CoordinatorLookup;

namespace {

using w::code;

TEST(SenderCoordinator, AGoodAnswerMakesItKnown) {
  L l(100);
  EXPECT_TRUE(l.should_ask(0));
  l.asked();
  EXPECT_FALSE(l.should_ask(0)) << "asked twice";
  EXPECT_EQ(l.on_answer(true, 0, 3, 10), L::Outcome::kKnown);
  EXPECT_EQ(l.node(), 3);
  EXPECT_FALSE(l.should_ask(1000));
}

TEST(SenderCoordinator, ARetriableErrorAsksAgainAfterTheBackoff) {
  for (const auto e : {w::ErrorCode::kCoordinatorNotAvailable, w::ErrorCode::kCoordinatorLoadInProgress,
                       w::ErrorCode::kNotCoordinator}) {
    L l(100);
    l.asked();
    EXPECT_EQ(l.on_answer(true, code(e), -1, 50), L::Outcome::kRetry) << w::error_info(code(e)).name;
    EXPECT_EQ(l.node(), -1);
    EXPECT_FALSE(l.should_ask(149));
    EXPECT_TRUE(l.should_ask(150));
  }
  L garbled(100);
  garbled.asked();
  EXPECT_EQ(garbled.on_answer(false, 0, 1, 0), L::Outcome::kRetry) << "a garbled answer is no answer";
}

TEST(SenderCoordinator, ADroppedRequestIsAskedAgainAtOnce) {
  L l(100);
  l.asked();
  l.on_dropped();
  EXPECT_TRUE(l.should_ask(0));
}

TEST(SenderCoordinator, TheCoordinatorSayingItIsNotOneAnyMoreIsFoundAgain) {
  L l(100);
  l.asked();
  ASSERT_EQ(l.on_answer(true, 0, 2, 0), L::Outcome::kKnown);
  EXPECT_FALSE(l.on_coordinator_error(code(w::ErrorCode::kConcurrentTransactions)))
      << "a retriable error of the request is not the coordinator's move";
  EXPECT_EQ(l.node(), 2);
  EXPECT_TRUE(l.on_coordinator_error(code(w::ErrorCode::kNotCoordinator)));
  EXPECT_TRUE(l.should_ask(0));
  l.asked();
  ASSERT_EQ(l.on_answer(true, 0, 1, 0), L::Outcome::kKnown);
  l.on_coordinator_lost();  // its connection failed
  EXPECT_TRUE(l.should_ask(0));
}

TEST(SenderCoordinator, NotBeingAllowedIsFatal) {
  L l(100);
  l.asked();
  EXPECT_EQ(l.on_answer(true, code(w::ErrorCode::kTransactionalIdAuthorizationFailed), -1, 0),
            L::Outcome::kFatal);
  EXPECT_EQ(l.state(), L::State::kFatal);
  EXPECT_FALSE(l.should_ask(1'000'000));
}

}  // namespace
