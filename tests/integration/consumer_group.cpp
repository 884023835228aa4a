#include "consumer_group.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

#include "broker.h"

namespace ringkafka::testing {

std::map<std::pair<std::string, int>, long long> group_offsets(const std::string& group) {
  const auto r = run_command(kafka_local() + " group-offsets '" + group + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::map<std::pair<std::string, int>, long long> out;
  std::istringstream in(r.output);
  std::string topic;
  int partition = 0;
  long long offset = 0;
  while (in >> topic >> partition >> offset) out[{topic, partition}] = offset;
  return out;
}

GroupMember::GroupMember(const std::string& group, const std::string& topic) : group_(group) {
  static std::atomic<int> count{0};
  file_ = "/tmp/" + group + "-" + std::to_string(++count) + ".member";
  const auto r = run_command(kafka_local() + " group-member '" + group + "' '" + topic + "' --out '" +
                             file_ + "' >/dev/null 2>'" + file_ + ".log' & echo $!");
  pid_ = r.output;
  while (!pid_.empty() && pid_.back() == '\n') pid_.pop_back();
}

GroupMember::~GroupMember() {
  // kafka-local execs the JVM: the pid is the consumer's.
  (void)run_command("kill " + pid_ + " 2>/dev/null; rm -f '" + file_ + "' '" + file_ + ".log'");
}

ConsumerGroupMetadata GroupMember::wait_generation(int after) const {
  using namespace std::chrono_literals;
  for (int i = 0; i < 600; ++i) {
    int generation = -1;
    char member[256] = {};
    if (std::FILE* f = std::fopen(file_.c_str(), "r"); f != nullptr) {
      while (std::fscanf(f, "%d %255s", &generation, member) == 2) {
      }
      std::fclose(f);
    }
    if (generation > after) return {group_, generation, member, ""};
    std::this_thread::sleep_for(100ms);
  }
  return {group_, -1, "", ""};
}

}  // namespace ringkafka::testing
