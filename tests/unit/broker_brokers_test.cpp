// The broker table (broker/brokers.h) and its connections without a broker:
// Metadata's listing adds, keeps and prunes brokers; a pruned broker is not
// connected again until it is listed again; a half-read answer prunes
// nothing; a refused connect backs off and reports its cause.
#include "broker/brokers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "config/settings.h"
#include "core/clock.h"

namespace br = ringkafka::broker;
using State = br::Connection::State;

namespace {

struct Events final : br::ConnectionEvents {
  void on_ready(br::Connection&) noexcept override { ++ready; }
  void on_response(br::Connection&, const br::InFlight&, std::span<const std::byte>) noexcept override {}
  void on_dropped(br::Connection&, const br::InFlight&) noexcept override { ++dropped; }
  void on_sent(br::Connection&) noexcept override {}
  void on_failed(br::Connection&, const char* why) noexcept override { last_failure = why; }
  void on_unusable(br::Connection&, const char*) noexcept override {}
  void on_auth_failed(br::Connection&, const char*) noexcept override {}
  int ready = 0;
  int dropped = 0;
  std::string last_failure;
};

class BrokerTableTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(reactor_.open({64, false, -1}), 0); }
  void TearDown() override { table_.quiesce(); }

  ringkafka::config::Settings s_;
  ringkafka::io::Reactor reactor_;
  ringkafka::core::TimerHeap timers_;
  br::Brokers table_{reactor_, timers_, s_};
  Events events_;
};

TEST_F(BrokerTableTest, ABrokerMetadataNoLongerListsIsPrunedUntilListedAgain) {
  table_.begin_listing();
  table_.listed(1, "127.0.0.1", 1, events_);
  table_.listed(2, "127.0.0.1", 2, events_);
  table_.end_listing(events_);
  ASSERT_NE(table_.find(1), nullptr);
  ASSERT_NE(table_.find(2), nullptr);
  table_.begin_listing();
  table_.listed(1, "127.0.0.1", 1, events_);
  table_.end_listing(events_);
  EXPECT_TRUE(table_.find(1)->listed);
  EXPECT_FALSE(table_.find(2)->listed);
  (void)table_.service(ringkafka::core::mono_ns(), events_);
  EXPECT_NE(table_.find(1)->state(), State::kIdle) << "a listed broker is connected";
  EXPECT_EQ(table_.find(2)->state(), State::kIdle) << "a pruned broker was connected again";
  table_.begin_listing();
  table_.listed(1, "127.0.0.1", 1, events_);
  table_.listed(2, "127.0.0.1", 2, events_);
  table_.end_listing(events_);
  EXPECT_TRUE(table_.find(2)->listed);
}

TEST_F(BrokerTableTest, AHalfReadListingPrunesNothing) {
  table_.begin_listing();
  table_.listed(1, "127.0.0.1", 1, events_);
  table_.listed(2, "127.0.0.1", 2, events_);
  table_.end_listing(events_);
  table_.begin_listing();
  table_.listed(1, "127.0.0.1", 1, events_);
  // No end_listing: the answer could not be read to its end.
  EXPECT_TRUE(table_.find(2)->listed);
}

TEST_F(BrokerTableTest, BootstrapEntriesAreNeverPruned) {
  table_.add(-1, "127.0.0.1", 1);
  table_.begin_listing();
  table_.listed(1, "127.0.0.1", 2, events_);
  table_.end_listing(events_);
  EXPECT_TRUE(table_.find(-1)->listed);
}

TEST_F(BrokerTableTest, ARefusedConnectBacksOffAndNamesItsCause) {
  table_.add(-1, "127.0.0.1", 1);  // nothing listens on port 1
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  (void)table_.service(ringkafka::core::mono_ns(), events_);
  while (events_.last_failure.empty() && std::chrono::steady_clock::now() < until) {
    reactor_.wait(10'000'000);
    (void)reactor_.reap([&](std::uint64_t token, int res) noexcept {
      table_.dispatch(token, res, ringkafka::core::mono_ns(), events_);
    });
  }
  // The sentence names the step, the broker and the system's reason.
  EXPECT_EQ(events_.last_failure, "cannot connect to 127.0.0.1:1: Connection refused");
  const br::Connection& c = *table_.find(-1);
  EXPECT_EQ(c.failure(), ringkafka::Errc::kTransport);
  EXPECT_STREQ(c.failure_text(), "cannot connect to 127.0.0.1:1: Connection refused");
  EXPECT_TRUE(c.state() == State::kBackoff || c.state() == State::kClosing);
  // Its timer is armed, for the end of the backoff or the connect's backstop.
  EXPECT_EQ(timers_.size(), 1U);
  EXPECT_GT(timers_.next_due(), 0);
}

}  // namespace
