// The resolver (io/resolver.h): numeric addresses answered at once on the
// caller's thread, names answered later through poll(), failures named,
// and a full table refused rather than waited on.
#include "io/resolver.h"

#include <gtest/gtest.h>
#include <netdb.h>
#include <netinet/in.h>

#include <chrono>
#include <string>
#include <thread>

namespace io = ringkafka::io;
using namespace std::chrono_literals;

namespace {

// Polls until `ticket` is answered or 10 s have passed.
bool await(io::Resolver& r, std::uint64_t ticket, io::Resolver::Answer* out) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  bool got = false;
  while (!got && std::chrono::steady_clock::now() < until) {
    r.poll([&](const io::Resolver::Answer& a) {
      if (a.ticket == ticket) {
        *out = a;
        got = true;
      }
    });
    if (!got) std::this_thread::sleep_for(1ms);
  }
  return got;
}

TEST(IoResolver, NumericAddressesAreAnsweredAtOnceWithoutAThread) {
  io::Resolver r;
  io::Resolver::Answer a;
  bool now = false;
  ASSERT_TRUE(r.lookup(7, "127.0.0.1", 9092, &a, &now));
  ASSERT_TRUE(now);
  EXPECT_EQ(a.error, 0);
  EXPECT_EQ(a.ticket, 7U);
  EXPECT_EQ(a.family, AF_INET);
  EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in*>(&a.addr)->sin_port), 9092);
  ASSERT_TRUE(r.lookup(8, "::1", 9093, &a, &now));
  ASSERT_TRUE(now);
  EXPECT_EQ(a.error, 0);
  EXPECT_EQ(a.family, AF_INET6);
  EXPECT_EQ(r.pending(), 0U);
  EXPECT_FALSE(r.poll([](const io::Resolver::Answer&) {}));
}

TEST(IoResolver, ANameIsAnsweredThroughPoll) {
  io::Resolver r;
  io::Resolver::Answer a;
  bool now = true;
  ASSERT_TRUE(r.lookup(42, "localhost", 9092, &a, &now));
  EXPECT_FALSE(now);
  EXPECT_EQ(r.pending(), 1U);
  ASSERT_TRUE(await(r, 42, &a));
  EXPECT_EQ(a.error, 0) << io::Resolver::error_text(a.error);
  EXPECT_TRUE(a.family == AF_INET || a.family == AF_INET6);
  EXPECT_EQ(r.pending(), 0U);
}

TEST(IoResolver, AnUnknownNameIsAnErrorWithItsText) {
  io::Resolver r;
  io::Resolver::Answer a;
  bool now = true;
  ASSERT_TRUE(r.lookup(1, "no-such-host.invalid", 9092, &a, &now));
  ASSERT_FALSE(now);
  ASSERT_TRUE(await(r, 1, &a));
  EXPECT_NE(a.error, 0);
  EXPECT_NE(std::string(io::Resolver::error_text(a.error)), "");
}

TEST(IoResolver, ANameLongerThanDnsAllowsIsRefusedAtOnce) {
  io::Resolver r;
  io::Resolver::Answer a;
  bool now = false;
  ASSERT_TRUE(r.lookup(3, std::string(300, 'a'), 9092, &a, &now));
  EXPECT_TRUE(now);
  EXPECT_EQ(a.error, EAI_NONAME);
  EXPECT_STREQ(io::Resolver::error_text(a.error), "host not found");
}

}  // namespace
