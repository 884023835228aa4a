// ringkafka-perf: the producer's latency (open loop, at a fixed rate) or
// throughput (as fast as it accepts), measured per record, optionally side
// by side with librdkafka and the Java client in the same invocation, in the
// manner of Kafka's kafka-producer-perf-test.
//
//   ringkafka-perf -b localhost:9092 -t perf --mode latency --rate 10000
//                  --count 100000 --preset low_latency --compare librdkafka,java
//
// The producer is used through the public API only; src/ provides the
// histogram and the resolved settings that are mapped onto librdkafka's keys.
// workload.h says what is measured and how.
//
// Exit status: 0 when every record was delivered, 1 when any failed (or a
// client could not be set up), 2 for a usage or configuration error.
#include <getopt.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/settings.h"
#include "partition/partitioner.h"
#include "java_client.h"
#include "rdkafka_client.h"
#include "../common/cli_config.h"
#include "ringkafka/config.h"
#include "ringkafka_client.h"
#include "report.h"
#include "transactions.h"
#include "workload.h"

#include <unistd.h>

namespace {

constexpr const char* kUsage =
    "usage: ringkafka-perf -b BOOTSTRAP -t TOPIC [--mode latency|throughput|transactions]\n"
    "                      [--rate N] [--records-per-txn N]\n"
    "                      [--count N] [--warmup N] [--size BYTES] [--key-size BYTES]\n"
    "                      [--threads N] [--preset low_latency|durable|throughput]\n"
    "                      [-X key=value]... [--compare librdkafka|java|librdkafka,java]\n"
    "                      [--rdkafka-X key=value]... [--java-X key=value]... [--java-libs DIR]\n"
    "                      [--peers-first] [--spin-us N] [--json FILE] [--hist FILE]\n"
    "                      [--stats FILE [--stats-interval MS]]\n"
    "\n"
    "Produces COUNT records of SIZE bytes (keys of KEY-SIZE bytes, distinct per\n"
    "record) to TOPIC and reports, per record, in nanoseconds:\n"
    "  produce()  the call, from the first attempt to the one accepting the record\n"
    "             (queue-full answers, polled and retried, are inside and counted)\n"
    "  wire       until the Produce request holding it went to the kernel\n"
    "             (DeliveryReport::sent_ns; ringkafka only)\n"
    "  wire from call  the same, counted from the first produce() attempt: the\n"
    "             client's share of wire, without the generator's lateness\n"
    "  ack        until its delivery report was polled\n"
    "Wire and ack count from the record's intended send time: in latency mode\n"
    "start + i/(rate/threads), so stalls are not hidden (no coordinated omission);\n"
    "in throughput mode, the first attempt.  In latency mode, `late` is how late\n"
    "the thread got to each record: the load generator's own share of wire and ack.\n"
    "\n"
    "  -b BOOTSTRAP        bootstrap.servers\n"
    "  -t TOPIC            the topic (it should exist)\n"
    "  --mode MODE         latency (default): open loop at --rate; throughput: as\n"
    "                      fast as the producer accepts\n"
    "                      transactions: begin, RECORDS-PER-TXN records as fast as\n"
    "                      accepted, commit; COUNT/RECORDS-PER-TXN of them timed\n"
    "                      (commit alone, and begin to commit's return), after a\n"
    "                      plain run of COUNT records (no transaction) whose\n"
    "                      throughput they are compared with; one thread; needs\n"
    "                      acks=all (--preset durable)\n"
    "  --records-per-txn N records per transaction (default 1000)\n"
    "  --rate N            records/s over all threads, latency mode (default 10000)\n"
    "  --count N           measured records over all threads (default 100000)\n"
    "  --warmup N          records produced first and not measured (default\n"
    "                      min(1000, count/10)); the first 16 records, before any\n"
    "                      clock, also wait for metadata and connections\n"
    "  --size BYTES        value size (default 100)\n"
    "  --key-size BYTES    key size, 0 for null keys (default 16)\n"
    "  --threads N         producing threads, each rate/N records/s (default 1)\n"
    "  --preset NAME       start from a preset instead of the defaults\n"
    "  -X key=value        a ringkafka configuration key, after --preset (repeatable)\n"
    "  --compare librdkafka  then run the same workload through librdkafka, configured\n"
    "                      from ringkafka's resolved settings:\n"
    "                        acks, linger.ms, batch.size, enable.idempotence,\n"
    "                        max.in.flight.requests.per.connection, retries,\n"
    "                        retry.backoff.ms, request.timeout.ms, metadata.max.age.ms,\n"
    "                        reconnect.backoff[.max].ms    the same keys\n"
    "                        compression.type    -> compression.codec (+ .level if not\n"
    "                                               the codec's default)\n"
    "                        delivery.timeout.ms -> message.timeout.ms\n"
    "                        max.request.size    -> message.max.bytes\n"
    "                        buffer.memory       -> queue.buffering.max.kbytes\n"
    "                                               (and .max.messages=10000000)\n"
    "                        partitioner sticky  -> murmur2_random; others the same\n"
    "                        TCP_NODELAY         -> socket.nagle.disable=true\n"
    "                      rd_kafka_producev with RD_KAFKA_MSG_F_COPY on a topic handle,\n"
    "                      reports served by rd_kafka_poll on each producing thread\n"
    "  --compare java      (or librdkafka,java) the same workload through the Java\n"
    "                      client (kafka-clients, KafkaProducer<byte[], byte[]>, send()\n"
    "                      with a callback) in a JVM started for it; the same keys\n"
    "                      (compression level as compression.<codec>.level, and\n"
    "                      delivery.timeout.ms raised to linger.ms + request.timeout.ms\n"
    "                      if below); its ack is when the callback ran (on Java's\n"
    "                      I/O thread), its produce() is send(), which blocks rather\n"
    "                      than answering queue-full.  RINGKAFKA_PERF_JVM_OPTS adds\n"
    "                      JVM options\n"
    "  --rdkafka-X key=value  a librdkafka key, after the mapping (repeatable)\n"
    "  --java-X key=value  a Java client key, after the mapping (repeatable)\n"
    "  --java-libs DIR     the kafka-clients jars (default: $RINGKAFKA_JAVA_LIBS, else\n"
    "                      what the source tree's tools/kafka-local fetch prints)\n"
    "  --peers-first       run the clients in the reverse order, ringkafka last; a\n"
    "                      broker warms up and ages through a run: alternate to see\n"
    "                      the order's share (--librdkafka-first is the older name)\n"
    "  --spin-us N         latency mode: poll in a loop from N µs before each send\n"
    "                      time, sleep before that (default 200; a sleep can wake\n"
    "                      50 µs late on a VM, which `late` shows; above the\n"
    "                      interval between records it never sleeps)\n"
    "  --json FILE         the results as JSON (percentiles in ns)\n"
    "  --hist FILE         each histogram's percentile distribution, HdrHistogram's\n"
    "                      text format, values in µs\n"
    "  --stats FILE        ringkafka's statistics during its run, one JSON snapshot\n"
    "                      per line (ringkafka::to_json; docs/observability.md),\n"
    "                      every --stats-interval ms (default 1000), for\n"
    "                      tools/plot-stats\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit status: 0 all delivered, 1 some record failed, 2 usage or config error.\n";

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct Options {
  std::string bootstrap;
  std::string topic;
  std::string preset;
  ringkafka::cli::KeyValues overrides;          // -X, in order
  ringkafka::cli::KeyValues rdkafka_overrides;  // --rdkafka-X
  bool compare_rdkafka = false;
  bool compare_java = false;
  bool peers_first = false;
  ringkafka::cli::KeyValues java_overrides;  // --java-X
  std::string java_libs;
  std::optional<std::uint64_t> warmup;
  std::string json_path;
  std::string hist_path;
  std::string stats_path;
  std::int32_t stats_interval_ms = 1000;
  perf::Workload workload;
  std::uint64_t records_per_txn = 1000;
};

int usage_error(std::string_view message) {
  std::cerr << "ringkafka-perf: " << message << "\n" << kUsage;
  return kExitUsage;
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

// Parses the command line into `out`; nullopt when done, or the exit status.
std::optional<int> parse_options(int argc, char** argv, Options& out) {
  enum : int { kMode = 256, kRate, kCount, kWarmup, kSize, kKeySize, kThreads, kPreset,
               kCompare, kRdkafkaX, kSpinUs, kJson, kHist, kStats, kStatsInterval, kPeersFirst, kJavaX, kJavaLibs,
               kRecordsPerTxn };
  static const option kLong[] = {
      {"help", no_argument, nullptr, 'h'},         {"mode", required_argument, nullptr, kMode},
      {"rate", required_argument, nullptr, kRate}, {"count", required_argument, nullptr, kCount},
      {"warmup", required_argument, nullptr, kWarmup},
      {"size", required_argument, nullptr, kSize},
      {"key-size", required_argument, nullptr, kKeySize},
      {"threads", required_argument, nullptr, kThreads},
      {"preset", required_argument, nullptr, kPreset},
      {"compare", required_argument, nullptr, kCompare},
      {"rdkafka-X", required_argument, nullptr, kRdkafkaX},
      {"librdkafka-first", no_argument, nullptr, kPeersFirst},
      {"peers-first", no_argument, nullptr, kPeersFirst},
      {"java-X", required_argument, nullptr, kJavaX},
      {"java-libs", required_argument, nullptr, kJavaLibs},
      {"spin-us", required_argument, nullptr, kSpinUs},
      {"json", required_argument, nullptr, kJson},
      {"hist", required_argument, nullptr, kHist},
      {"stats", required_argument, nullptr, kStats},
      {"stats-interval", required_argument, nullptr, kStatsInterval},
      {"records-per-txn", required_argument, nullptr, kRecordsPerTxn},
      {nullptr, 0, nullptr, 0}};
  perf::Workload& w = out.workload;
  int c;
  while ((c = getopt_long(argc, argv, "b:t:X:h", kLong, nullptr)) != -1) {
    const std::string_view arg = optarg != nullptr ? optarg : "";
    std::string quoted(1, '"');  // (not "\"" + ...: GCC 12 warns -Wrestrict there)
    quoted.append(arg).push_back('"');
    switch (c) {
      case 'b': out.bootstrap = arg; break;
      case 't': out.topic = arg; break;
      case 'X':
        if (!ringkafka::cli::parse_key_value(arg, out.overrides)) return usage_error("-X: want key=value, got " + quoted);
        break;
      case kRdkafkaX:
        if (!ringkafka::cli::parse_key_value(arg, out.rdkafka_overrides)) {
          return usage_error("--rdkafka-X: want key=value, got " + quoted);
        }
        break;
      case kMode:
        if (arg == "latency") {
          w.mode = perf::Mode::kLatency;
        } else if (arg == "throughput") {
          w.mode = perf::Mode::kThroughput;
        } else if (arg == "transactions") {
          w.mode = perf::Mode::kTransactions;
        } else {
          return usage_error("--mode: " + quoted + " is not one of latency, throughput, transactions");
        }
        break;
      case kRecordsPerTxn:
        if (!parse_number(arg, out.records_per_txn) || out.records_per_txn == 0) {
          return usage_error("--records-per-txn: " + quoted + " is not a count above 0");
        }
        break;
      case kRate:
        if (!parse_number(arg, w.rate) || !(w.rate > 0) || w.rate > 1e9) {
          return usage_error("--rate: " + quoted + " is not a rate from 1 to 1e9 records/s");
        }
        break;
      case kCount:
        if (!parse_number(arg, w.count) || w.count == 0) {
          return usage_error("--count: " + quoted + " is not a count above 0");
        }
        break;
      case kWarmup: {
        std::uint64_t n = 0;
        if (!parse_number(arg, n)) return usage_error("--warmup: " + quoted + " is not a count");
        out.warmup = n;
        break;
      }
      case kSize:
        if (!parse_number(arg, w.value_size) || w.value_size > (1U << 30)) {
          return usage_error("--size: " + quoted + " is not a size up to 1 GiB");
        }
        break;
      case kKeySize:
        if (!parse_number(arg, w.key_size) || w.key_size > (1U << 30)) {
          return usage_error("--key-size: " + quoted + " is not a size up to 1 GiB");
        }
        break;
      case kThreads:
        if (!parse_number(arg, w.threads) || w.threads == 0 || w.threads > 4096) {
          return usage_error("--threads: " + quoted + " is not a count from 1 to 4096");
        }
        break;
      case kPreset: out.preset = arg; break;
      case kCompare:
        for (std::string_view rest = arg; !rest.empty();) {
          const auto comma = rest.find(',');
          const std::string_view peer = rest.substr(0, comma);
          if (peer == "librdkafka") {
            out.compare_rdkafka = true;
          } else if (peer == "java") {
            out.compare_java = true;
          } else {
            return usage_error("--compare: " + quoted + " is not librdkafka, java or librdkafka,java");
          }
          rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
        break;
      case kJavaX:
        if (!ringkafka::cli::parse_key_value(arg, out.java_overrides)) {
          return usage_error("--java-X: want key=value, got " + quoted);
        }
        break;
      case kJavaLibs: out.java_libs = arg; break;
      case kSpinUs: {
        std::int64_t us = 0;
        if (!parse_number(arg, us) || us < 0 || us > 3'600'000'000) {
          return usage_error("--spin-us: " + quoted + " is not a number of microseconds");
        }
        w.spin_ns = us * 1000;
        break;
      }
      case kPeersFirst: out.peers_first = true; break;
      case kJson: out.json_path = arg; break;
      case kHist: out.hist_path = arg; break;
      case kStats: out.stats_path = arg; break;
      case kStatsInterval:
        if (!parse_number(arg, out.stats_interval_ms) || out.stats_interval_ms < 1) {
          return usage_error("--stats-interval: " + quoted + " is not a number of ms above 0");
        }
        break;
      case 'h': std::cout << kUsage; return 0;
      default: std::cerr << kUsage; return kExitUsage;  // getopt said what was wrong
    }
  }
  if (optind < argc) return usage_error("unexpected argument \"" + std::string(argv[optind]) + "\"");
  if (out.bootstrap.empty()) return usage_error("-b BOOTSTRAP is required");
  if (out.topic.empty()) return usage_error("-t TOPIC is required");
  if (!out.compare_rdkafka && !out.rdkafka_overrides.empty()) {
    return usage_error("--rdkafka-X needs --compare librdkafka");
  }
  if (!out.compare_java && (!out.java_overrides.empty() || !out.java_libs.empty())) {
    return usage_error("--java-X and --java-libs need --compare java");
  }
  if (!out.compare_rdkafka && !out.compare_java && out.peers_first) {
    return usage_error("--peers-first needs --compare");
  }
  w.warmup = out.warmup.value_or(std::min<std::uint64_t>(1000, w.count / 10));
  return std::nullopt;
}

// The preset (or the defaults), then -b, then every -X in order.
ringkafka::Result<ringkafka::Config> make_config(const Options& opt) {
  ringkafka::cli::KeyValues keys = {{"bootstrap.servers", opt.bootstrap}};
  keys.insert(keys.end(), opt.overrides.begin(), opt.overrides.end());
  return ringkafka::cli::make_config(opt.preset, keys);
}

// The keys that shape the comparison, as resolved, over the keys set.
perf::KeyValues ringkafka_config_echo(const ringkafka::Config& config,
                                      const ringkafka::config::Settings& s) {
  static constexpr const char* kCodecs[] = {"none", "gzip", "snappy", "lz4", "zstd"};
  static constexpr const char* kIdle[] = {"spin", "yield", "backoff"};
  perf::KeyValues kv(config.values().begin(), config.values().end());
  const perf::KeyValues resolved = {
      {"acks", s.acks == -1 ? "all" : std::to_string(s.acks)},
      {"linger.ms", std::to_string(s.linger_ms)},
      {"batch.size", std::to_string(s.batch_size)},
      {"compression.type", kCodecs[static_cast<unsigned>(s.compression)]},
      {"enable.idempotence", s.enable_idempotence ? "true" : "false"},
      {"max.in.flight.requests.per.connection", std::to_string(s.max_in_flight)},
      {"delivery.timeout.ms", std::to_string(s.delivery_timeout_ms)},
      {"max.block.ms", std::to_string(s.max_block_ms)},
      {"partitioner", std::string(ringkafka::partition::name(s.partitioner))},
      {"sender.idle.strategy", kIdle[static_cast<unsigned>(s.idle_strategy)]},
  };
  for (const auto& [key, value] : resolved) {
    auto it = std::find_if(kv.begin(), kv.end(), [&](const auto& e) { return e.first == key; });
    if (it == kv.end()) {
      kv.emplace_back(key, value);
    } else {
      it->second = value;
    }
  }
  return kv;
}

int run_transactions(const Options& opt, const ringkafka::Config& config,
                     const ringkafka::config::Settings& settings, const std::string& java_libs) {
  perf::TxnWorkload w;
  w.per_transaction = opt.records_per_txn;
  w.transactions = std::max<std::uint64_t>(1, opt.workload.count / opt.records_per_txn);
  w.value_size = opt.workload.value_size;
  w.key_size = opt.workload.key_size;
  // A fresh transactional.id per run and client: no earlier instance to fence.
  const std::string id = "ringkafka-perf-" + std::to_string(::getpid());
  std::vector<perf::TxnResult> runs;
  runs.emplace_back();
  runs.back().client = "ringkafka";
  if (opt.compare_rdkafka) {
    runs.emplace_back();
    runs.back().client = "librdkafka";
  }
  if (opt.compare_java) {
    runs.emplace_back();
    runs.back().client = "java";
  }
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < runs.size(); ++i) order.push_back(i);
  if (opt.peers_first) std::reverse(order.begin(), order.end());
  for (const std::size_t i : order) {
    std::cerr << "ringkafka-perf: running " << runs[i].client << "\n";
    std::optional<std::string> error;
    if (i == 0) {
      error = perf::run_ringkafka_transactions(config, opt.topic, id + "-ringkafka", w, runs[i]);
    } else if (runs[i].client == "librdkafka") {
      auto kv = perf::rdkafka_config_for(settings, opt.bootstrap);
      kv.insert(kv.end(), opt.rdkafka_overrides.begin(), opt.rdkafka_overrides.end());
      error = perf::run_rdkafka_transactions(kv, opt.topic, id + "-librdkafka", w, runs[i]);
    } else {
      auto kv = perf::java_config_for(settings, opt.bootstrap);
      kv.insert(kv.end(), opt.java_overrides.begin(), opt.java_overrides.end());
      error = perf::run_java_transactions(kv, java_libs, opt.topic, id + "-java", w, runs[i]);
    }
    if (error) {
      std::cerr << "ringkafka-perf: " << runs[i].client << ": " << *error << "\n";
      return kExitFailed;
    }
  }
  perf::print_transactions(w, runs);
  return 0;
}

int run(const Options& opt) {
  auto config = make_config(opt);
  if (!config) {
    std::cerr << "ringkafka-perf: " << config.error().message << "\n";
    return kExitUsage;
  }
  // What create() will resolve, for the comparison and the drain timeout.
  auto settings = ringkafka::config::parse_settings(*config);
  if (!settings) {
    std::cerr << "ringkafka-perf: " << settings.error().message << "\n";
    return kExitUsage;
  }
  perf::Workload w = opt.workload;
  w.drain_timeout_ns = (settings->delivery_timeout_ms + 5000) * 1'000'000;
  std::string java_libs;
  if (opt.compare_java) {
    std::string error;
    auto found = perf::find_java_libs(opt.java_libs, error);
    if (!found) {
      std::cerr << "ringkafka-perf: " << error << "\n";
      return kExitUsage;
    }
    java_libs = *found;
  }
  if (w.mode == perf::Mode::kTransactions) return run_transactions(opt, *config, *settings, java_libs);

  // The table lists ringkafka first, then the peers, whichever ran first.
  using Run = std::function<std::optional<std::string>(perf::RunResult&)>;
  std::vector<std::pair<std::string, Run>> clients;
  clients.emplace_back("ringkafka", [&](perf::RunResult& r) {
    r.config = ringkafka_config_echo(*config, *settings);
    auto error = perf::run_ringkafka(*config, opt.topic, w, r, opt.stats_path,
                                     opt.stats_interval_ms);
    if (error) error->insert(0, "ringkafka: ");
    return error;
  });
  if (opt.compare_rdkafka) {
    clients.emplace_back("librdkafka", [&](perf::RunResult& r) {
      r.config = perf::rdkafka_config_for(*settings, opt.bootstrap);
      r.config.insert(r.config.end(), opt.rdkafka_overrides.begin(), opt.rdkafka_overrides.end());
      return perf::run_rdkafka(r.config, opt.topic, w, r);
    });
  }
  if (opt.compare_java) {
    clients.emplace_back("java", [&](perf::RunResult& r) {
      r.config = perf::java_config_for(*settings, opt.bootstrap);
      r.config.insert(r.config.end(), opt.java_overrides.begin(), opt.java_overrides.end());
      return perf::run_java(r.config, java_libs, opt.topic, w, r);
    });
  }
  std::vector<perf::RunResult> runs(clients.size());
  std::vector<std::size_t> order;
  if (opt.peers_first) {
    for (std::size_t i = clients.size(); i-- > 0;) order.push_back(i);  // the reverse
  } else {
    for (std::size_t i = 0; i < clients.size(); ++i) order.push_back(i);
  }
  for (const std::size_t i : order) {
    runs[i].client = clients[i].first;
    std::cerr << "ringkafka-perf: running " << clients[i].first << "\n";
    if (auto error = clients[i].second(runs[i])) {
      std::cerr << "ringkafka-perf: " << *error << "\n";
      return kExitFailed;
    }
  }

  perf::print_table(opt.workload, opt.preset, runs);
  std::fflush(stdout);
  bool ok = true;
  if (!opt.json_path.empty() && !perf::write_json(opt.json_path, opt.workload, opt.topic, opt.preset, runs)) {
    std::cerr << "ringkafka-perf: cannot write " << opt.json_path << "\n";
    ok = false;
  }
  if (!opt.hist_path.empty() && !perf::write_hist(opt.hist_path, runs)) {
    std::cerr << "ringkafka-perf: cannot write " << opt.hist_path << "\n";
    ok = false;
  }
  for (const auto& r : runs) {
    if (r.failed != 0 || !r.first_error.empty()) {
      std::cerr << "ringkafka-perf: " << r.client << ": " << r.failed << " record"
                << (r.failed == 1 ? "" : "s") << " failed; first error: " << r.first_error << "\n";
      ok = false;
    }
  }
  return ok ? 0 : kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options opt;
    if (const auto status = parse_options(argc, argv, opt)) return *status;
    return run(opt);
  } catch (const std::exception& e) {
    std::cerr << "ringkafka-perf: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "ringkafka-perf: unknown error\n";
  }
  return kExitFailed;
}
