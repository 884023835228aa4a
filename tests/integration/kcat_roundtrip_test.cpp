// Proves the integration harness end to end: the broker from tools/kafka-local
// accepts a topic, kcat (a client we did not write) produces into it and reads
// every record back, in order within each partition.
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "broker.h"

namespace rt = ringkafka::testing;

namespace {

class KcatRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override { RINGKAFKA_REQUIRE_BROKER(bootstrap_); }
  std::string bootstrap_;
};

struct Consumed {
  int partition;
  long offset;
  std::string key;
  std::string value;
};

std::vector<Consumed> parse(const std::string& out) {
  std::vector<Consumed> records;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    Consumed c;
    std::string p, o;
    std::getline(fields, p, '|');
    std::getline(fields, o, '|');
    std::getline(fields, c.key, '|');
    std::getline(fields, c.value);
    c.partition = std::stoi(p);
    c.offset = std::stol(o);
    records.push_back(std::move(c));
  }
  return records;
}

TEST_F(KcatRoundTrip, EveryRecordProducedIsConsumedOnceInPartitionOrder) {
  constexpr int kPartitions = 3;
  constexpr int kRecords = 1000;
  const auto topic = rt::unique_topic("harness");
  ASSERT_TRUE(rt::create_topic(topic, kPartitions));

  const auto md = rt::run_command("kcat -L -b '" + bootstrap_ + "' -t '" + topic + "' -m 10");
  ASSERT_EQ(md.exit_code, 0);
  EXPECT_NE(md.output.find("with " + std::to_string(kPartitions) + " partitions"),
            std::string::npos)
      << md.output;

  std::string input;
  for (int i = 0; i < kRecords; ++i) {
    input += "key-" + std::to_string(i % 50) + "|value-" + std::to_string(i) + "\n";
  }
  const auto produced = rt::run_command(
      "kcat -P -b '" + bootstrap_ + "' -t '" + topic + "' -K '|' -X acks=all", input);
  ASSERT_EQ(produced.exit_code, 0);

  const auto consumed = rt::run_command("timeout 60 kcat -C -b '" + bootstrap_ + "' -t '" +
                                        topic + "' -e -q -f '%p|%o|%k|%s\\n'");
  ASSERT_EQ(consumed.exit_code, 0);
  const auto records = parse(consumed.output);
  ASSERT_EQ(records.size(), static_cast<std::size_t>(kRecords));

  // Each value exactly once, with the key it was sent with.
  std::vector<int> seen(kRecords, 0);
  std::map<std::string, int> key_partition;
  std::map<int, long> next_offset;
  std::map<std::string, int> last_index_of_key;
  for (const auto& r : records) {
    ASSERT_EQ(r.value.rfind("value-", 0), 0U) << r.value;
    const int i = std::stoi(r.value.substr(6));
    ASSERT_GE(i, 0);
    ASSERT_LT(i, kRecords);
    ++seen[static_cast<std::size_t>(i)];
    EXPECT_EQ(r.key, "key-" + std::to_string(i % 50));
    // A key always maps to one partition ...
    auto [it, inserted] = key_partition.emplace(r.key, r.partition);
    EXPECT_EQ(it->second, r.partition) << "key " << r.key << " on two partitions";
    // ... offsets within a partition are dense and ascending ...
    EXPECT_EQ(r.offset, next_offset[r.partition]++) << "partition " << r.partition;
    // ... and records of one key come back in the order they were produced.
    auto last = last_index_of_key.find(r.key);
    if (last != last_index_of_key.end()) {
      EXPECT_LT(last->second, i) << r.key;
    }
    last_index_of_key[r.key] = i;
  }
  for (int i = 0; i < kRecords; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)], 1) << i;
  long total = 0;
  for (const auto& [p, n] : next_offset) {
    EXPECT_GE(p, 0);
    EXPECT_LT(p, kPartitions);
    total += n;
  }
  EXPECT_EQ(total, kRecords);
}

}  // namespace
