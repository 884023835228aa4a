// Kafka's topic-name rule, and that Producer::topic() applies it with a
// message that names what is wrong.
#include "producer/topic_name.h"

#include <gtest/gtest.h>

#include <string>

#include "ringkafka/producer.h"

namespace tn = ringkafka::topic_name;

TEST(TopicName, KafkaAcceptsTheseNames) {
  for (const char* name : {"orders", "a", "A-Z_0.9", "...", "_confluent-metrics", "a.b_c"}) {
    EXPECT_EQ(tn::check(name), "") << name;
  }
  EXPECT_EQ(tn::check(std::string(249, 'x')), "");
}

TEST(TopicName, EachRefusalSaysWhy) {
  EXPECT_EQ(tn::check(""), "a topic name cannot be empty");
  EXPECT_EQ(tn::check("."), "topic name \".\" is not allowed by Kafka");
  EXPECT_EQ(tn::check(".."), "topic name \"..\" is not allowed by Kafka");
  EXPECT_EQ(tn::check("my orders"),
            "topic name \"my orders\" has byte 0x20 at position 2; Kafka allows only a-z, A-Z, "
            "0-9, '.', '_' and '-'");
  EXPECT_EQ(tn::check("a/b"),
            "topic name \"a/b\" has '/' at position 1; Kafka allows only a-z, A-Z, 0-9, '.', '_' "
            "and '-'");
  EXPECT_NE(tn::check("caf\xc3\xa9").find("byte 0xc3 at position 3"), std::string::npos);
  const std::string long_name(250, 'x');
  EXPECT_NE(tn::check(long_name).find("has 250 characters; Kafka allows 249"), std::string::npos);
  EXPECT_NE(tn::check(long_name).find("xxx...\""), std::string::npos);  // cut, marked
}

TEST(TopicName, ProducerTopicRefusesWhatKafkaWould) {
  auto config = ringkafka::Config::durable();
  config.bootstrap_servers("127.0.0.1:1");  // never reached: topic() needs no broker
  auto made = ringkafka::Producer::create(config);
  ASSERT_TRUE(made.ok()) << made.error().message;
  auto bad = made.value()->topic("orders/eu");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ringkafka::Errc::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("'/' at position 6"), std::string::npos) << bad.error().message;
  EXPECT_TRUE(made.value()->topic("orders.eu").ok());
}
