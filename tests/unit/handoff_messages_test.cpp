// The interned report texts (handoff/messages.h): one copy per text, the
// name in front, long texts cut with "...", and nullptr once full.
#include "handoff/messages.h"

#include <gtest/gtest.h>

#include <string>

namespace hf = ringkafka::handoff;

namespace {

TEST(HandoffMessages, TheSameTextIsStoredOnce) {
  hf::MessageTable t;
  const char* a = t.intern("INVALID_RECORD", "no key");
  const char* b = t.intern("INVALID_RECORD", "no key");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a, b);
  EXPECT_STREQ(a, "INVALID_RECORD: no key");
  EXPECT_NE(t.intern("INVALID_RECORD", "no value"), a);
  EXPECT_EQ(t.size(), 2U);
}

TEST(HandoffMessages, ALongTextIsCut) {
  hf::MessageTable t;
  const std::string text(1000, 'x');
  const std::string got = t.intern("NAME", text);
  EXPECT_EQ(got.size(), hf::MessageTable::kMaxText);
  EXPECT_EQ(got.substr(0, 6), "NAME: ");
  EXPECT_EQ(got.substr(got.size() - 3), "...");
}

TEST(HandoffMessages, AFullTableAnswersNull) {
  hf::MessageTable t;
  std::size_t stored = 0;
  for (int i = 0; i < 10000; ++i) {
    if (t.intern("E", std::to_string(i)) == nullptr) break;
    ++stored;
  }
  EXPECT_EQ(stored, hf::MessageTable::kMaxEntries);
  EXPECT_EQ(t.intern("E", "one more"), nullptr);
  EXPECT_NE(t.intern("E", "0"), nullptr) << "a text already there is still found";
}

}  // namespace
