// Reads a topic back with the Java consumer: Kafka's own ConsoleConsumer
// from the jars the harness fetches, through `tools/kafka-local consume`.
// A second reader we did not write, beside kcat (librdkafka): the two
// clients implement isolation levels and aborted-transaction filtering
// separately.  Text only: keys and values must not hold a tab or newline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ringkafka::testing {

struct JavaRecord {
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::optional<std::string> key;  // nullopt: a null key (printed "null")
  std::string value;
};

// Every record of `topic` from the beginning, under `isolation`
// (read_committed or read_uncommitted), until 5 s pass without one (or one
// past `expected` came, if given).  Slow (a JVM, about 7 s): for records
// already known to be readable.  Returns an error text, empty on success.
std::string java_read_topic(const std::string& topic, const std::string& isolation,
                            std::vector<JavaRecord>& records, std::size_t expected = 0);

}  // namespace ringkafka::testing
