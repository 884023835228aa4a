#include "java_client.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "java_perf_source.h"  // kJavaPerfSource, generated from java/JavaPerf.java

extern char** environ;

namespace perf {

// ringkafka's resolved settings as the Java client's keys (kafka-clients
// 3.8 or later, for the compression levels).  The names are mostly the same:
// ringkafka took them from Java.
//
//   acks, linger.ms, batch.size, buffer.memory, max.block.ms,
//   enable.idempotence (resolved), max.in.flight.requests.per.connection,
//   retries, retry.backoff.ms, retry.backoff.max.ms, request.timeout.ms,
//   max.request.size, metadata.max.age.ms, reconnect.backoff[.max].ms,
//   socket.connection.setup.timeout.ms   the same keys
//   compression.type               the same; the level as compression.<codec>.level
//                                  when it is not the codec's default
//   delivery.timeout.ms            the same, raised to linger.ms +
//                                  request.timeout.ms if below (Java refuses less)
//   partitioner sticky             Java's built-in partitioner: murmur2 for keys,
//                                  sticky per batch for null keys, as ringkafka's;
//                                  other partitioners have no Java counterpart
//                                  and also get the built-in one
//   (TCP_NODELAY, always)          Java always sets it
//   ring.bytes, sender.*, io_uring.*, report.queue.size: ringkafka's own
KeyValues java_config_for(const ringkafka::config::Settings& s, std::string_view bootstrap) {
  using ringkafka::wire::Compression;
  const std::int64_t delivery =
      std::max(s.delivery_timeout_ms, s.linger_ms + s.request_timeout_ms);
  KeyValues kv = {
      {"bootstrap.servers", std::string(bootstrap)},
      {"acks", s.acks == -1 ? "all" : std::to_string(s.acks)},
      {"linger.ms", std::to_string(s.linger_ms)},
      {"batch.size", std::to_string(s.batch_size)},
      {"buffer.memory", std::to_string(s.buffer_memory)},
      {"max.block.ms", std::to_string(s.max_block_ms)},
      {"enable.idempotence", s.enable_idempotence ? "true" : "false"},
      {"max.in.flight.requests.per.connection", std::to_string(s.max_in_flight)},
      {"retries", std::to_string(s.retries)},
      {"retry.backoff.ms", std::to_string(s.retry_backoff_ms)},
      {"retry.backoff.max.ms", std::to_string(s.retry_backoff_max_ms)},
      {"delivery.timeout.ms", std::to_string(delivery)},
      {"request.timeout.ms", std::to_string(std::min<std::int64_t>(s.request_timeout_ms, INT32_MAX))},
      {"max.request.size", std::to_string(s.max_request_size)},
      {"metadata.max.age.ms", std::to_string(s.metadata_max_age_ms)},
      {"reconnect.backoff.ms", std::to_string(s.reconnect_backoff_ms)},
      {"reconnect.backoff.max.ms", std::to_string(s.reconnect_backoff_max_ms)},
      {"socket.connection.setup.timeout.ms", std::to_string(s.socket_connection_setup_timeout_ms)},
      {"client.id", s.client_id + "-java"},
  };
  static constexpr const char* kCodecs[] = {"none", "gzip", "snappy", "lz4", "zstd"};
  kv.emplace_back("compression.type", kCodecs[static_cast<unsigned>(s.compression)]);
  const bool default_level = s.compression_level == 0 || s.compression_level == -1 ||
                             (s.compression == Compression::kLz4 && s.compression_level == 9) ||
                             (s.compression == Compression::kZstd && s.compression_level == 3);
  if (!default_level && (s.compression == Compression::kGzip || s.compression == Compression::kLz4 ||
                         s.compression == Compression::kZstd)) {
    kv.emplace_back(std::string("compression.") + kCodecs[static_cast<unsigned>(s.compression)] + ".level",
                    std::to_string(s.compression_level));
  }
  return kv;
}

namespace {

// The last line `command` prints, or "" when it fails.
std::string last_line_of(const std::string& command) {
  std::FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return {};
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out = buf;
  if (::pclose(p) != 0) return {};
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

bool write_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  return static_cast<bool>(f);
}

// Java's .properties escaping, for keys and values.
std::string properties_escape(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    if (ch == '\\' || ch == '=' || ch == ':' || ch == '#' || ch == '!' || ch == ' ') out += '\\';
    if (ch == '\n') {
      out += "\\n";
      continue;
    }
    out += ch;
  }
  return out;
}

constexpr const char* kLog4j =
    "status = warn\n"
    "appender.err.type = Console\n"
    "appender.err.name = ERR\n"
    "appender.err.target = SYSTEM_ERR\n"
    "appender.err.layout.type = PatternLayout\n"
    "appender.err.layout.pattern = java: %p %m (%c)%n\n"
    "rootLogger.level = WARN\n"
    "rootLogger.appenderRef.err.ref = ERR\n";

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ringkafka-perf-java.XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

// Runs argv and waits; the exit status, or -1 when it could not start.
int spawn_and_wait(const std::vector<std::string>& args, std::string& error) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int e = ::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ); e != 0) {
    error = "cannot run " + args[0] + ": " + std::strerror(e);
    return -1;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      error = std::string("waitpid: ") + std::strerror(errno);
      return -1;
    }
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  error = args[0] + " ended by signal " + std::to_string(WTERMSIG(status));
  return -1;
}

}  // namespace

std::optional<std::string> find_java_libs(std::string_view libs, std::string& error) {
  std::string dir(libs);
  if (dir.empty()) {
    if (const char* env = std::getenv("RINGKAFKA_JAVA_LIBS"); env != nullptr) dir = env;
  }
  if (dir.empty()) {
    const std::filesystem::path tool = std::filesystem::path(RINGKAFKA_SOURCE_ROOT) / "tools" / "kafka-local";
    if (!std::filesystem::exists(tool)) {
      error = "--compare java: no jars: give --java-libs DIR (a directory holding kafka-clients and its "
              "dependencies; tools/kafka-local fetch prints one) or set RINGKAFKA_JAVA_LIBS";
      return std::nullopt;
    }
    dir = last_line_of(tool.string() + " fetch");
    if (dir.empty()) {
      error = "--compare java: " + tool.string() + " fetch failed (it resolves the Kafka jars with Maven)";
      return std::nullopt;
    }
  }
  std::error_code ec;
  bool has_clients = false;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("kafka-clients-", 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".jar") {
      has_clients = true;
    }
  }
  if (!has_clients) {
    error = "--compare java: no kafka-clients-*.jar in " + dir;
    return std::nullopt;
  }
  return dir;
}

namespace {

// Runs JavaPerf.java with `config` as its producer.properties and `named`
// as its arguments after --config and --out; the results file's text, or
// an error.
std::optional<std::string> spawn_java_perf(const KeyValues& config, const std::string& libs,
                                           const std::vector<std::pair<std::string, std::string>>& named,
                                           std::string& results_text) {
  TempDir tmp;
  if (tmp.path.empty()) return std::string("java: cannot make a temporary directory");
  std::string props;
  for (const auto& [key, value] : config) props += properties_escape(key) + "=" + properties_escape(value) + "\n";
  const auto source = tmp.path / "JavaPerf.java";
  const auto config_file = tmp.path / "producer.properties";
  const auto log_config = tmp.path / "log4j2.properties";
  const auto results = tmp.path / "results.txt";
  if (!write_file(source, kJavaPerfSource) || !write_file(config_file, props) ||
      !write_file(log_config, kLog4j)) {
    return "java: cannot write into " + tmp.path.string();
  }
  std::vector<std::string> args;
  const char* home = std::getenv("JAVA_HOME");
  args.push_back(home != nullptr && *home != '\0' ? std::string(home) + "/bin/java" : "java");
  // RINGKAFKA_PERF_JVM_OPTS: extra JVM options, split at spaces.
  if (const char* opts = std::getenv("RINGKAFKA_PERF_JVM_OPTS"); opts != nullptr) {
    std::istringstream in(opts);
    for (std::string word; in >> word;) args.push_back(word);
  }
  args.push_back("-Dlog4j2.configurationFile=" + log_config.string());
  args.push_back("-cp");
  args.push_back(libs + "/*");
  args.push_back(source.string());
  args.insert(args.end(), {"--config", config_file.string(), "--out", results.string()});
  for (const auto& [flag, value] : named) {
    args.push_back(flag);
    args.push_back(value);
  }
  std::string error;
  const int status = spawn_and_wait(args, error);
  if (status != 0) return "java: " + (status < 0 ? error : args[0] + " exited with status " + std::to_string(status));
  std::ifstream in(results);
  if (!in) return "java: no results in " + results.string();
  std::ostringstream text;
  text << in.rdbuf();
  results_text = text.str();
  return std::nullopt;
}

// The results file's "name value" lines, up to the line `marker`; what
// follows (one line per record or transaction) stays in `in`.
std::map<std::string, std::string> read_fields(std::istream& in, std::string_view marker) {
  std::map<std::string, std::string> fields;
  std::string line;
  while (std::getline(in, line) && line != marker) {
    const auto space = line.find(' ');
    fields[line.substr(0, space)] = space == std::string::npos ? "" : line.substr(space + 1);
  }
  return fields;
}

std::int64_t number(const std::map<std::string, std::string>& fields, const std::string& name) {
  const auto it = fields.find(name);
  return it == fields.end() ? 0 : std::strtoll(it->second.c_str(), nullptr, 10);
}

}  // namespace

std::optional<std::string> run_java(const KeyValues& config, const std::string& libs,
                                    std::string_view topic, const Workload& w, RunResult& out) {
  const std::vector<std::pair<std::string, std::string>> named = {
      {"--topic", std::string(topic)},
      {"--mode", w.mode == Mode::kLatency ? "latency" : "throughput"},
      {"--rate", std::to_string(w.rate)},
      {"--count", std::to_string(w.count)},
      {"--warmup", std::to_string(w.warmup)},
      {"--size", std::to_string(w.value_size)},
      {"--key-size", std::to_string(w.key_size)},
      {"--threads", std::to_string(w.threads)},
      {"--spin-ns", std::to_string(w.spin_ns)},
      {"--drain-ms", std::to_string(std::max<std::int64_t>(w.drain_timeout_ns / 1'000'000, 1))},
  };
  std::string text;
  if (auto e = spawn_java_perf(config, libs, named, text)) return e;
  std::istringstream in(text);
  const auto f = read_fields(in, "records");
  if (const auto e = f.find("first_error"); e != f.end()) out.first_error = e->second;
  out.accepted = static_cast<std::uint64_t>(number(f, "accepted"));
  out.delivered = static_cast<std::uint64_t>(number(f, "delivered"));
  out.failed = static_cast<std::uint64_t>(number(f, "failed"));
  out.undelivered = static_cast<std::uint64_t>(number(f, "undelivered"));
  std::int64_t late = 0, call = 0, ack = 0;
  while (in >> late >> call >> ack) {
    if (late >= 0) out.late.record(static_cast<std::uint64_t>(late));
    out.call.record(static_cast<std::uint64_t>(std::max<std::int64_t>(call, 0)));
    if (ack >= 0) out.ack.record(static_cast<std::uint64_t>(ack));
  }
  out.produce_seconds = static_cast<double>(number(f, "produce_ns")) / 1e9;
  out.total_seconds = static_cast<double>(number(f, "total_ns")) / 1e9;
  out.wall_seconds = static_cast<double>(number(f, "wall_ns")) / 1e9;
  out.cpu_user_seconds = static_cast<double>(number(f, "cpu_user_ns")) / 1e9;
  out.cpu_system_seconds = static_cast<double>(number(f, "cpu_system_ns")) / 1e9;
  out.has_wire = false;
  out.failed += out.undelivered;
  if (out.undelivered != 0 && out.first_error.empty()) out.first_error = "no delivery report";
  return std::nullopt;
}

std::optional<std::string> run_java_transactions(const KeyValues& config, const std::string& libs,
                                                 std::string_view topic,
                                                 const std::string& transactional_id,
                                                 const TxnWorkload& w, TxnResult& out) {
  const std::vector<std::pair<std::string, std::string>> named = {
      {"--topic", std::string(topic)},
      {"--mode", "transactions"},
      {"--records-per-txn", std::to_string(w.per_transaction)},
      {"--transactions", std::to_string(w.transactions)},
      {"--transactional-id", transactional_id},
      {"--size", std::to_string(w.value_size)},
      {"--key-size", std::to_string(w.key_size)},
  };
  std::string text;
  if (auto e = spawn_java_perf(config, libs, named, text)) return e;
  std::istringstream in(text);
  const auto f = read_fields(in, "transactions");
  if (const auto e = f.find("first_error"); e != f.end()) out.first_error = e->second;
  out.failed = static_cast<std::uint64_t>(number(f, "failed"));
  out.plain_seconds = static_cast<double>(number(f, "plain_ns")) / 1e9;
  std::int64_t commit = 0, transaction = 0;
  while (in >> commit >> transaction) {
    out.commit.record(static_cast<std::uint64_t>(std::max<std::int64_t>(commit, 0)));
    out.transaction.record(static_cast<std::uint64_t>(std::max<std::int64_t>(transaction, 0)));
    out.txn_seconds += static_cast<double>(transaction) / 1e9;
    out.records += w.per_transaction;
  }
  if (out.failed != 0) return "java: " + std::to_string(out.failed) + " records failed: " + out.first_error;
  return std::nullopt;
}

}  // namespace perf
