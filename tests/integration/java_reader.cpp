#include "java_reader.h"

#include <sstream>

#include "broker.h"

namespace ringkafka::testing {

std::string java_read_topic(const std::string& topic, const std::string& isolation,
                            std::vector<JavaRecord>& records, std::size_t expected) {
  // One record past `expected` is asked for, so that too many are seen as
  // such; the tool then stops when 5 s pass without a record (the caller
  // has made sure the records are readable, kcat having read them).
  std::string command = kafka_local() + " consume '" + topic + "' --isolation " + isolation +
                        " --timeout-ms 5000";
  if (expected != 0) command += " --max " + std::to_string(expected + 1);
  const CommandResult r = run_command(command);
  if (r.exit_code != 0) return "kafka-local consume " + topic + " failed (exit " + std::to_string(r.exit_code) + ")";
  std::istringstream in(r.output);
  std::string line;
  while (std::getline(in, line)) {
    JavaRecord rec;
    std::size_t field = 0;
    std::size_t start = 0;
    for (std::size_t tab = 0; field < 3; start = tab + 1, ++field) {
      tab = line.find('\t', start);
      if (tab == std::string::npos) return "kafka-local consume: not PARTITION OFFSET KEY VALUE: " + line;
      const std::string part = line.substr(start, tab - start);
      if (field == 0) rec.partition = static_cast<std::int32_t>(std::stol(part));
      if (field == 1) rec.offset = std::stoll(part);
      if (field == 2 && part != "null") rec.key = part;
    }
    rec.value = line.substr(start);
    records.push_back(std::move(rec));
  }
  return {};
}

}  // namespace ringkafka::testing
