#include "wire/error_code.h"

#include <string>

#include <gtest/gtest.h>

#include "golden.h"

namespace w = ringkafka::wire;
namespace golden = ringkafka::golden;

namespace {

// Every code the Java client defines, with its name and retriability, as
// tools/golden/ErrorCodes.java read them from kafka-clients.
TEST(ErrorCode, TableMatchesTheJavaClient) {
  const auto rows = golden::rows("error_codes.txt");
  ASSERT_GT(rows.size(), 100U);
  EXPECT_EQ(w::known_error_count(), rows.size());
  for (const auto& r : rows) {
    const auto code = static_cast<std::int16_t>(std::stoi(r.at(0)));
    const auto info = w::error_info(code);
    EXPECT_TRUE(info.known) << code;
    EXPECT_EQ(info.name, r.at(1)) << code;
    EXPECT_EQ(info.retriable, r.at(2) == "1") << r.at(1);
  }
}

TEST(ErrorCode, NamedCodesHaveTheirProtocolNames) {
  EXPECT_EQ(w::error_info(w::ErrorCode::kNotLeaderOrFollower).name, "NOT_LEADER_OR_FOLLOWER");
  EXPECT_EQ(w::error_info(w::ErrorCode::kOutOfOrderSequenceNumber).name,
            "OUT_OF_ORDER_SEQUENCE_NUMBER");
  EXPECT_EQ(w::error_info(w::ErrorCode::kUnknownProducerId).name, "UNKNOWN_PRODUCER_ID");
  EXPECT_EQ(w::error_info(w::ErrorCode::kTransactionAbortable).name, "TRANSACTION_ABORTABLE");
  EXPECT_TRUE(w::error_info(w::ErrorCode::kNotEnoughReplicas).retriable);
  EXPECT_FALSE(w::error_info(w::ErrorCode::kMessageTooLarge).retriable);
}

TEST(ErrorCode, UnknownCodesAreSaidToBeUnknown) {
  for (std::int16_t code : {std::int16_t{-2}, std::int16_t{999}, std::int16_t{32767}}) {
    const auto info = w::error_info(code);
    EXPECT_FALSE(info.known);
    EXPECT_FALSE(info.retriable);
    EXPECT_EQ(info.name, "UNKNOWN_ERROR_CODE");
  }
}

}  // namespace
