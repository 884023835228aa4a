// The C++ error model: Errc as a std::error_code, and Result::value()
// throwing the message rather than std::bad_variant_access.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <system_error>

#include "ringkafka/error.h"
#include "ringkafka/statistics.h"

namespace rk = ringkafka;

namespace {

constexpr int kLast = static_cast<int>(rk::Errc::kAllBrokersDown);

TEST(Errors, ErrcIsAnErrorCodeOfItsOwnCategory) {
  const std::error_code ec = rk::Errc::kRecordTooLarge;
  EXPECT_STREQ(ec.category().name(), "ringkafka");
  EXPECT_EQ(ec, rk::Errc::kRecordTooLarge);
  EXPECT_NE(ec, rk::Errc::kQueueFull);
  EXPECT_EQ(ec.message(), "record too large");
  // kOk is 0: a default error_code and kOk both mean "no error".
  EXPECT_FALSE(std::error_code(rk::Errc::kOk));
  EXPECT_TRUE(ec);
}

TEST(Errors, EveryCodeHasItsOwnText) {
  std::set<std::string> seen;
  for (int i = 0; i <= kLast; ++i) {
    const std::string text = rk::to_string(static_cast<rk::Errc>(i));
    EXPECT_NE(text, "unknown error") << i;
    EXPECT_TRUE(seen.insert(text).second) << "two codes say \"" << text << '"';
    EXPECT_EQ(rk::make_error_code(static_cast<rk::Errc>(i)).message(), text);
  }
  EXPECT_STREQ(rk::to_string(static_cast<rk::Errc>(kLast + 1)), "unknown error");
}

TEST(Errors, ErrcCountIsOnePastTheLastCode) {
  // Statistics count reports by Errc in an array of kErrcCount: a code
  // added past it would have text and no place there.
  EXPECT_STREQ(rk::to_string(static_cast<rk::Errc>(rk::kErrcCount)), "unknown error");
  EXPECT_STRNE(rk::to_string(static_cast<rk::Errc>(rk::kErrcCount - 1)), "unknown error");
}

TEST(Errors, IsFullIsTheTwoRoomRefusalsOnly) {
  for (int i = 0; i <= kLast; ++i) {
    const auto code = static_cast<rk::Errc>(i);
    EXPECT_EQ(rk::is_full(code), code == rk::Errc::kQueueFull || code == rk::Errc::kReportQueueFull) << i;
  }
}

TEST(Errors, ValueOfAnErrorThrowsTheMessage) {
  rk::Result<int> r = rk::Error{rk::Errc::kInvalidConfig, "acks: \"2\" is not one of 0, 1, -1, all"};
  try {
    (void)r.value();
    FAIL() << "no exception";
  } catch (const rk::Exception& e) {
    EXPECT_EQ(e.code(), rk::Errc::kInvalidConfig);
    EXPECT_NE(std::string(e.what()).find("acks: \"2\" is not one of"), std::string::npos) << e.what();
    EXPECT_EQ(e.error().message, "acks: \"2\" is not one of 0, 1, -1, all");
  }
  // As a std::system_error, for callers that catch only those.
  EXPECT_THROW((void)rk::Result<std::string>(rk::Error{rk::Errc::kResource, "no memory"}).value(),
               std::system_error);
}

TEST(Errors, ValueOfAValueDoesNotThrow) {
  rk::Result<std::string> r = std::string("fine");
  EXPECT_EQ(r.value(), "fine");
  EXPECT_EQ(std::move(r).value(), "fine");
}

}  // namespace
