#include "broker.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

namespace ringkafka::testing {

std::string kafka_local() {
  const char* p = std::getenv("RINGKAFKA_KAFKA_LOCAL");
  return p != nullptr ? p : "tools/kafka-local";
}

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

bool reachable(const std::string& bootstrap) {
  return run_command("kcat -L -b '" + bootstrap + "' -m 5 >/dev/null 2>&1").exit_code == 0;
}

}  // namespace

CommandResult run_command(const std::string& command, std::string_view input) {
  std::string full = command;
  std::string input_path;
  if (!input.empty()) {
    char path[] = "/tmp/ringkafka-test-input-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) return {};
    std::size_t done = 0;
    while (done < input.size()) {
      const auto n = write(fd, input.data() + done, input.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    close(fd);
    input_path = path;
    full = "(" + command + ") < '" + input_path + "'";
  }
  CommandResult result;
  if (FILE* pipe = popen(full.c_str(), "r")) {
    std::array<char, 65536> buf;
    std::size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
    const int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  if (!input_path.empty()) unlink(input_path.c_str());
  return result;
}

std::string broker_bootstrap() {
  std::string bootstrap;
  if (const char* env = std::getenv("RINGKAFKA_BOOTSTRAP"); env != nullptr && *env != '\0') {
    bootstrap = env;
  } else {
    const auto status = run_command(kafka_local() + " status 2>/dev/null");
    // Its first line (a --security cluster lists its other listeners after it).
    if (status.exit_code == 0) bootstrap = trim(status.output.substr(0, status.output.find('\n')));
  }
  if (bootstrap.empty() || !reachable(bootstrap)) return {};
  return bootstrap;
}

std::string unique_topic(std::string_view prefix) {
  static std::atomic<int> counter{0};
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::string(prefix) + "-" + std::to_string(getpid()) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) +
         "-" + std::to_string(counter.fetch_add(1));
}

bool create_topic(const std::string& name, int partitions, int replication,
                  const std::vector<std::string>& configs) {
  std::string command = kafka_local();
  command.append(" create-topic '").append(name).append("' --bootstrap '");
  command.append(broker_bootstrap()).append("' --partitions ").append(std::to_string(partitions));
  command.append(" --replication ").append(std::to_string(replication));
  for (const std::string& c : configs) command.append(" --config '").append(c).append("'");
  // A single broker on two busy cores can miss its KRaft heartbeats for a
  // moment and be fenced ("All brokers are currently fenced"): it comes
  // back within seconds, so that refusal is tried again, up to 30 s.
  for (int attempt = 0;; ++attempt) {
    const auto r = run_command(command + " 2>&1");
    if (r.exit_code == 0) return true;
    const bool fenced = r.output.find("currently fenced") != std::string::npos;
    if (!fenced || attempt == 10) {
      std::cerr << "create-topic " << name << " failed:\n" << r.output;
      return false;
    }
    std::cerr << "create-topic " << name << ": the broker is fenced; again in 3 s\n";
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
}

}  // namespace ringkafka::testing
