// Reads a topic back with kcat, binary-safe: kcat prints each record as
//
//   <partition> <offset> <timestamp> <key length> <value length> <headers>\n
//   <key bytes><value bytes>\n
//
// (-f '%p %o %T %K %S %h\n%k%s\n'; a length of -1 is a null key or value,
// headers are name=value,name2=value2).  The lengths, not delimiters,
// bound the key and value, so they may hold any byte; header names and
// values must not contain ',', '=' or '\n', which kcat does not escape.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ringkafka::testing {

struct KcatRecord {
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::int64_t timestamp_ms = -1;
  std::optional<std::string> key;    // nullopt: a null key
  std::optional<std::string> value;  // nullopt: a null value
  std::vector<std::pair<std::string, std::string>> headers;
};

// Parses kcat's output in the format above.  Returns an error text naming
// the byte offset where the output stopped making sense, empty on success.
std::string parse_kcat_output(std::string_view out, std::vector<KcatRecord>& records);

// Every record of `topic`, from the first offset of each partition to its
// end, in kcat's order (offset order within a partition).  If fewer than
// `expected` records come back, reads again until `patience` has passed,
// for records the broker has accepted but not yet made readable.
// `isolation` is kcat's isolation.level (librdkafka's default,
// read_committed, hides aborted and open transactions).  Returns an error
// text, empty on success.
std::string kcat_read_topic(const std::string& bootstrap, const std::string& topic,
                            std::vector<KcatRecord>& records, std::size_t expected = 0,
                            std::chrono::milliseconds patience = std::chrono::seconds(10),
                            const std::string& isolation = "read_committed");

}  // namespace ringkafka::testing
