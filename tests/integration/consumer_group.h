// Consumer groups on the broker under test, through tools/kafka-local:
// what a group has committed, and a live member to give a group
// generations (KIP-447 tests).
#pragma once

#include <map>
#include <string>
#include <utility>

#include "ringkafka/producer.h"

namespace ringkafka::testing {

// The group's committed offsets by (topic, partition), as Kafka's
// ConsumerGroupCommand lists them (kafka-local group-offsets).
std::map<std::pair<std::string, int>, long long> group_offsets(const std::string& group);

// A live member of `group` subscribed to `topic`: Kafka's Java consumer
// (kafka-local group-member), which appends "GENERATION MEMBER-ID" to a
// file at each generation it gets.  Killed when this goes.
class GroupMember {
 public:
  GroupMember(const std::string& group, const std::string& topic);
  GroupMember(const GroupMember&) = delete;
  GroupMember& operator=(const GroupMember&) = delete;
  ~GroupMember();

  // Its metadata once its generation is above `after`, as a
  // consume-transform-produce application would hand it to its producer;
  // the generation is -1 if that takes over 60 s.
  ConsumerGroupMetadata wait_generation(int after) const;

 private:
  std::string group_;
  std::string file_;
  std::string pid_;
};

}  // namespace ringkafka::testing
