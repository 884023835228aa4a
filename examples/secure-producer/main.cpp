// TLS and SASL from a Java-style client.properties file: the file a Java
// or librdkafka user already has (`--producer.config`, `-F`) works as it
// is, because the keys are theirs.  Each line is `key=value`; `#` starts a
// comment.  A key ringkafka does not know, or a value out of its range,
// stops the program with the key's name.
//
//   secure-producer PROPERTIES TOPIC [COUNT]
//
// For example, SCRAM over TLS:
//   bootstrap.servers=broker.example:9093
//   security.protocol=SASL_SSL
//   sasl.mechanism=SCRAM-SHA-512
//   sasl.username=alice
//   sasl.password=alice-secret
//   ssl.ca.location=/etc/kafka/ca.pem
#include <ringkafka/producer.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// Applies each key=value line of `path` to `config`; false (said) on the
// first line that does not apply.
bool load_properties(const char* path, ringkafka::Config& config) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path);
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "%s:%d: not key=value\n", path, number);
      return false;
    }
    if (auto set = config.set(trim(line.substr(0, eq)), trim(line.substr(eq + 1))); !set) {
      std::fprintf(stderr, "%s:%d: %s\n", path, number, set.error().message.c_str());
      return false;
    }
  }
  return true;
}

struct Counts {
  int delivered = 0;
  int failed = 0;
};

void on_report(const ringkafka::DeliveryReport& r, void* context) noexcept {
  auto& c = *static_cast<Counts*>(context);
  if (r.ok()) {
    ++c.delivered;
  } else if (c.failed++ == 0) {
    std::fprintf(stderr, "not delivered: %s\n", r.message);  // e.g. the ACL or the credentials
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s PROPERTIES TOPIC [COUNT]\n", argv[0]);
    return 2;
  }
  const int count = argc > 3 ? std::atoi(argv[3]) : 100;
  auto config = ringkafka::Config::durable();
  if (!load_properties(argv[1], config)) return 1;
  // Errors that are no record's (a TLS handshake or the credentials
  // refused) come here within seconds, worded with their cause.
  config.error_callback([](ringkafka::Errc, std::string_view reason, void*) noexcept {
    std::fprintf(stderr, "producer: %.*s\n", static_cast<int>(reason.size()), reason.data());
  });
  auto made = ringkafka::Producer::create(config);
  if (!made) {
    std::fprintf(stderr, "%s\n", made.error().message.c_str());
    return 1;
  }
  ringkafka::Producer& producer = *made.value();
  auto topic = producer.topic(argv[2]);
  if (!topic) {
    std::fprintf(stderr, "%s\n", topic.error().message.c_str());
    return 1;
  }
  Counts counts;
  ringkafka::DeliveryReport reports[64];
  for (int i = 0; i < count; ++i) {
    const std::string value = "secured-" + std::to_string(i);
    ringkafka::Errc e;
    while (ringkafka::is_full(e = producer.produce(topic.value(), ringkafka::Bytes::null(),
                                                   value))) {
      for (std::size_t j = 0, n = producer.poll(reports); j < n; ++j) {
        on_report(reports[j], &counts);
      }
    }
    if (e != ringkafka::Errc::kOk) {
      std::fprintf(stderr, "produce: %s\n", ringkafka::to_string(e));
      return 1;
    }
  }
  if (producer.flush(std::chrono::seconds(30), on_report, &counts) != ringkafka::Errc::kOk) {
    std::fprintf(stderr, "flush timed out\n");
  }
  std::printf("delivered %d of %d over %s\n", counts.delivered, count,
              config.get("security.protocol").value_or("PLAINTEXT").c_str());
  return counts.delivered == count ? 0 : 1;
}
