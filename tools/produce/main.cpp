// ringkafka-produce: reads records from stdin, one per line, and produces
// them to a topic, as `kcat -P` does.  Built on the public API only.
//
//   ringkafka-produce -b localhost:9092 -t orders -K : < lines.txt
//
// Exit status: 0 when every record was delivered, 1 when any failed (or was
// still undelivered at the end), 2 for a usage or configuration error.
#include <getopt.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "../common/cli_config.h"
#include "ringkafka/config.h"
#include "ringkafka/error.h"
#include "ringkafka/producer.h"

namespace {

constexpr const char* kUsage =
    "usage: ringkafka-produce -b BOOTSTRAP -t TOPIC [-p PARTITION] [-K DELIM]\n"
    "                         [-H name=value]... [-X key=value]... [-d CONTEXTS]\n"
    "                         [--preset low_latency|durable|throughput] [-z CODEC] [-v]\n"
    "                         [--transactional-id ID [--transaction-records N]]\n"
    "\n"
    "Reads one record per line from stdin (the newline is not part of it; a last\n"
    "line without one counts) and produces it to TOPIC.\n"
    "\n"
    "  -b BOOTSTRAP   bootstrap.servers, host:port[,host:port...]\n"
    "  -t TOPIC       the topic\n"
    "  -p PARTITION   every record to this partition (default: the partitioner)\n"
    "  -K DELIM       split each line at the first DELIM into key and value; a line\n"
    "                 without DELIM gets a null key, as with kcat (default: null keys)\n"
    "  -H name=value  add this header to every record (repeatable; `-H name`\n"
    "                 alone gives a null value)\n"
    "  -z CODEC       compression.type: none, gzip, snappy, lz4, zstd\n"
    "  -X key=value   any configuration key (docs/configuration.md); applied after\n"
    "                 --preset and -z, so it wins (repeatable)\n"
    "  -d CONTEXTS    debug=CONTEXTS: log these of librdkafka's debug contexts to\n"
    "                 stderr (broker, metadata, msg, protocol, security, eos, all)\n"
    "  --preset NAME  start from a preset instead of the defaults (the Java\n"
    "                 client's: acks=all, enable.idempotence=true, linger.ms=5)\n"
    "  -v             print `partition offset` to stdout for each delivered record\n"
    "  --transactional-id ID\n"
    "                 produce in transactions (transactional.id=ID): one over the\n"
    "                 whole input, or one per N lines with --transaction-records N,\n"
    "                 each committed when full and at the end of input.  A commit\n"
    "                 that fails is reported, the transaction aborted, and reading\n"
    "                 stops (exit status 1)\n"
    "  -h, --help     this text\n"
    "\n"
    "Failed records are reported on stderr, and `delivered N failed M` at the end;\n"
    "so are the producer's errors (a broker it cannot reach, and why) as they occur.\n"
    "Exit status: 0 all delivered, 1 some record failed, 2 usage or config error.\n";

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr std::int64_t kDefaultDeliveryTimeoutMs = 120000;  // docs/configuration.md

struct Options {
  std::string bootstrap;
  std::string topic;
  std::int32_t partition = ringkafka::kAnyPartition;
  std::optional<std::string> key_delimiter;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  ringkafka::cli::KeyValues overrides;  // -X, in order
  std::string preset;
  std::string codec;
  bool verbose = false;
  std::string transactional_id;
  std::uint64_t transaction_records = 0;  // 0: one transaction for the whole input
};

int usage_error(std::string_view message) {
  std::cerr << "ringkafka-produce: " << message << "\n" << kUsage;
  return kExitUsage;
}

// Parses the command line into `out`; nullopt when done, or the exit status.
std::optional<int> parse_options(int argc, char** argv, Options& out) {
  static const option kLong[] = {{"help", no_argument, nullptr, 'h'},
                                 {"preset", required_argument, nullptr, 'P'},
                                 {"transactional-id", required_argument, nullptr, 'T'},
                                 {"transaction-records", required_argument, nullptr, 'N'},
                                 {nullptr, 0, nullptr, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "b:t:p:K:H:X:z:d:vh", kLong, nullptr)) != -1) {
    const std::string_view arg = optarg != nullptr ? optarg : "";
    switch (c) {
      case 'b': out.bootstrap = arg; break;
      case 't': out.topic = arg; break;
      case 'p': {
        const auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), out.partition);
        if (ec != std::errc{} || end != arg.data() + arg.size() || out.partition < -1) {
          return usage_error("-p: \"" + std::string(arg) + "\" is not a partition number");
        }
        break;
      }
      case 'K':
        if (arg.empty()) return usage_error("-K: the delimiter is empty");
        out.key_delimiter = std::string(arg);
        break;
      case 'H': {
        const auto eq = arg.find('=');
        if (eq == 0) return usage_error("-H: \"" + std::string(arg) + "\" has no header name");
        if (eq == std::string_view::npos) {
          out.headers.emplace_back(std::string(arg), std::nullopt);
        } else {
          out.headers.emplace_back(std::string(arg.substr(0, eq)), std::string(arg.substr(eq + 1)));
        }
        break;
      }
      case 'X':
        if (!ringkafka::cli::parse_key_value(arg, out.overrides)) {
          return usage_error("-X: want key=value, got \"" + std::string(arg) + "\"");
        }
        break;
      case 'z': out.codec = arg; break;
      case 'd': out.overrides.emplace_back("debug", std::string(arg)); break;
      case 'P': out.preset = arg; break;
      case 'T':
        if (arg.empty()) return usage_error("--transactional-id: the id is empty");
        out.transactional_id = arg;
        break;
      case 'N': {
        const auto [end, ec] =
            std::from_chars(arg.data(), arg.data() + arg.size(), out.transaction_records);
        if (ec != std::errc{} || end != arg.data() + arg.size() || out.transaction_records == 0) {
          return usage_error("--transaction-records: \"" + std::string(arg) +
                             "\" is not a number of records above 0");
        }
        break;
      }
      case 'v': out.verbose = true; break;
      case 'h': std::cout << kUsage; return 0;
      default: std::cerr << kUsage; return kExitUsage;  // getopt said what was wrong
    }
  }
  if (optind < argc) return usage_error("unexpected argument \"" + std::string(argv[optind]) + "\"");
  if (out.bootstrap.empty()) return usage_error("-b BOOTSTRAP is required");
  if (out.topic.empty()) return usage_error("-t TOPIC is required");
  if (out.transaction_records != 0 && out.transactional_id.empty()) {
    return usage_error("--transaction-records needs --transactional-id");
  }
  return std::nullopt;
}

// The preset (or the defaults), then -b and -z, then every -X in order.
ringkafka::Result<ringkafka::Config> make_config(const Options& opt) {
  ringkafka::cli::KeyValues keys = {{"bootstrap.servers", opt.bootstrap}};
  if (!opt.codec.empty()) keys.emplace_back("compression.type", opt.codec);
  if (!opt.transactional_id.empty()) keys.emplace_back("transactional.id", opt.transactional_id);
  keys.insert(keys.end(), opt.overrides.begin(), opt.overrides.end());
  return ringkafka::cli::make_config(opt.preset, keys);
}

std::int64_t delivery_timeout_ms(const ringkafka::Config& config) {
  std::int64_t ms = kDefaultDeliveryTimeoutMs;
  // A key given under an alias is stored under its own name, as create() reads it.
  if (const auto v = config.get("delivery.timeout.ms")) {
    const auto start = v->find_first_not_of(" \t");  // set() allows blanks around numbers
    if (start != std::string::npos) std::from_chars(v->data() + start, v->data() + v->size(), ms);
  }
  return ms;
}

// Counts and prints delivery reports as they are polled.
class Reports {
 public:
  Reports(ringkafka::Producer& producer, bool verbose) : producer_(producer), verbose_(verbose) {}

  // Polls what is ready; returns how many reports there were.
  std::size_t poll() {
    const std::size_t n = producer_.poll(buffer_);
    for (std::size_t i = 0; i < n; ++i) print(buffer_[i]);
    return n;
  }

  // A record produce() refused: it has no report.
  // `bytes`: its key and value; `limit`: Producer::max_record_size().
  void refused(std::uint64_t record, ringkafka::Errc error, std::size_t bytes, std::size_t limit) {
    ++failed_;
    std::cerr << "ringkafka-produce: record " << record
              << " not accepted: " << ringkafka::to_string(error);
    if (error == ringkafka::Errc::kRecordTooLarge) {
      std::cerr << " (" << bytes << " bytes of key and value; the limit is " << limit
                << " bytes with framing, max.request.size)";
    }
    std::cerr << "\n";
  }

  void lost(std::uint64_t count) { failed_ += count; }
  [[nodiscard]] std::uint64_t delivered() const noexcept { return delivered_; }
  [[nodiscard]] std::uint64_t failed() const noexcept { return failed_; }

 private:
  void print(const ringkafka::DeliveryReport& r) {
    if (r.ok()) {
      ++delivered_;
      if (verbose_) std::cout << r.partition << ' ' << r.offset << '\n';
      return;
    }
    ++failed_;
    std::cerr << "ringkafka-produce: record " << reinterpret_cast<std::uintptr_t>(r.opaque)
              << " failed: " << ringkafka::to_string(r.error);
    if (*r.message != '\0') std::cerr << ": " << r.message;
    if (r.kafka_error != 0) std::cerr << " (kafka error " << r.kafka_error << ")";
    if (r.partition >= 0) std::cerr << " [partition " << r.partition << "]";
    std::cerr << "\n";
  }

  ringkafka::Producer& producer_;
  bool verbose_;
  std::uint64_t delivered_ = 0;
  std::uint64_t failed_ = 0;
  ringkafka::DeliveryReport buffer_[256];
};

// --transactional-id: init once, then a transaction per N records (or one
// for the whole input).  Without it every call does nothing.
class Transactions {
 public:
  Transactions(ringkafka::Producer& producer, const Options& opt, std::chrono::milliseconds timeout)
      : producer_(producer), on_(!opt.transactional_id.empty()), per_(opt.transaction_records),
        timeout_(timeout) {}

  bool start() {
    if (!on_) return true;
    auto r = producer_.init_transactions(timeout_);
    if (!r) return failed("init_transactions", r.error());
    return begin();
  }
  // Before each record: commits a full transaction and begins the next.
  bool before_record() {
    if (!on_) return true;
    if (per_ != 0 && in_txn_ == per_ && !(commit() && begin())) return false;
    ++in_txn_;
    return true;
  }
  // At the end of input.
  bool finish() { return !on_ || commit(); }

 private:
  bool begin() {
    in_txn_ = 0;
    auto r = producer_.begin_transaction();
    return r ? true : failed("begin_transaction", r.error());
  }
  bool commit() {
    auto r = producer_.commit_transaction(timeout_);
    if (r) return true;
    failed("commit_transaction", r.error());
    if (r.error().txn_requires_abort()) {
      auto a = producer_.abort_transaction(timeout_);
      if (!a) failed("abort_transaction", a.error());
    }
    return false;
  }
  // The message names the call already.
  static bool failed(const char*, const ringkafka::Error& e) {
    std::cerr << "ringkafka-produce: " << e.message << "\n";
    return false;
  }

  ringkafka::Producer& producer_;
  const bool on_;
  const std::uint64_t per_;
  const std::chrono::milliseconds timeout_;
  std::uint64_t in_txn_ = 0;
};

int run(const Options& opt) {
  auto config = make_config(opt);
  if (!config) {
    std::cerr << "ringkafka-produce: " << config.error().message << "\n";
    return kExitUsage;
  }
  auto created = ringkafka::Producer::create(*config);
  if (!created) {
    std::cerr << "ringkafka-produce: " << created.error().message << "\n";
    return created.error().code == ringkafka::Errc::kInvalidConfig ? kExitUsage : kExitFailed;
  }
  ringkafka::Producer& producer = **created;
  auto topic = producer.topic(opt.topic);
  if (!topic) {
    std::cerr << "ringkafka-produce: " << topic.error().message << "\n";
    return kExitFailed;
  }

  std::vector<ringkafka::Header> headers;
  for (const auto& [name, value] : opt.headers) {
    headers.push_back({name, value ? ringkafka::Bytes(*value) : ringkafka::Bytes::null()});
  }

  Reports reports(producer, opt.verbose);
  bool trouble = false;
  const std::chrono::milliseconds timeout(delivery_timeout_ms(*config) + 5000);
  Transactions txn(producer, opt, timeout);
  if (!txn.start()) return kExitFailed;
  std::uint64_t record = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!txn.before_record()) {
      trouble = true;
      break;
    }
    ++record;
    ringkafka::Bytes key = ringkafka::Bytes::null();
    ringkafka::Bytes value(line);
    if (opt.key_delimiter) {
      if (const auto at = line.find(*opt.key_delimiter); at != std::string::npos) {
        key = ringkafka::Bytes(line.data(), at);
        value = ringkafka::Bytes(line.data() + at + opt.key_delimiter->size(),
                                 line.size() - at - opt.key_delimiter->size());
      }
    }
    for (;;) {
      void* opaque = reinterpret_cast<void*>(static_cast<std::uintptr_t>(record));
      const auto e = producer.produce(*topic, key, value,
                                      {.headers = headers, .opaque = opaque, .partition = opt.partition});
      if (e == ringkafka::Errc::kOk) break;
      // Full ring or report queue: polling (or the sender draining) makes room.
      if (ringkafka::is_full(e)) {
        if (reports.poll() == 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
        continue;
      }
      reports.refused(record, e, key.size + value.size, producer.max_record_size());
      break;
    }
    reports.poll();
  }
  if (std::cin.bad()) {
    std::cerr << "ringkafka-produce: reading stdin failed\n";
    trouble = true;
  }
  if (!trouble && !txn.finish()) trouble = true;

  if (producer.flush(timeout) != ringkafka::Errc::kOk) {
    std::cerr << "ringkafka-produce: flush timed out after " << timeout.count() << " ms\n";
    trouble = true;
  }
  // Whatever is still unsent ends in kPurged reports.
  (void)producer.close(std::chrono::milliseconds(0));
  while (reports.poll() != 0) {
  }
  reports.lost(producer.in_flight());
  if (const auto fatal = producer.fatal_error(); !fatal.empty()) {
    std::cerr << "ringkafka-produce: " << fatal << "\n";
    trouble = true;
  }
  std::cout.flush();
  std::cerr << "delivered " << reports.delivered() << " failed " << reports.failed() << "\n";
  return reports.failed() == 0 && !trouble ? 0 : kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::ios::sync_with_stdio(false);
    Options opt;
    if (const auto status = parse_options(argc, argv, opt)) return *status;
    return run(opt);
  } catch (const std::exception& e) {
    std::cerr << "ringkafka-produce: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "ringkafka-produce: unknown error\n";
  }
  return kExitFailed;
}
