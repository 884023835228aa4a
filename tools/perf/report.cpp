#include "report.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <string>

namespace perf {
namespace {


struct Percentile {
  const char* name;
  double percentile;  // > 100: the maximum
};
constexpr Percentile kPercentiles[] = {{"p50", 50},      {"p90", 90},         {"p99", 99},
                                       {"p99.9", 99.9}, {"p99.99", 99.99}, {"max", 101}};

std::uint64_t at(const ringkafka::metrics::Histogram& h, double percentile) {
  return percentile > 100 ? h.max() : h.value_at_percentile(percentile);
}

__attribute__((format(printf, 1, 2))) std::string format(const char* fmt, ...) {
  char buf[128];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

// Nanoseconds below 1 µs, else 3 significant digits in µs, ms or s.
std::string human_ns(std::uint64_t ns) {
  const auto v = static_cast<double>(ns);
  if (v < 999.5) return format("%.0fns", v);
  static constexpr std::pair<double, const char*> kUnits[] = {{1e3, "µs"}, {1e6, "ms"}, {1e9, "s"}};
  for (const auto& [scale, unit] : kUnits) {
    const double x = v / scale;
    if (x < 999.5 || scale == 1e9) {
      return format("%.*f%s", x < 9.995 ? 2 : x < 99.95 ? 1 : 0, x, unit);
    }
  }
  return {};
}

// Right-aligns `s` in `width` columns, counting UTF-8 code points.
std::string pad(const std::string& s, std::size_t width) {
  std::size_t columns = 0;
  for (const char ch : s) columns += (static_cast<unsigned char>(ch) & 0xC0U) != 0x80U ? 1 : 0;
  return std::string(width > columns ? width - columns : 0, ' ') + s;
}

struct Metric {
  const char* label;   // in the table
  const char* key;     // in JSON and --hist
  ringkafka::metrics::Histogram perf::RunResult::*histogram;
};
constexpr Metric kMetrics[] = {{"late", "late", &perf::RunResult::late},
                               {"produce()", "produce_call", &perf::RunResult::call},
                               {"wire", "wire", &perf::RunResult::wire},
                               {"wire from call", "wire_from_call", &perf::RunResult::wire_from_call},
                               {"ack", "ack", &perf::RunResult::ack}};

bool has(const perf::RunResult& r, const Metric& m) {
  const bool wire = m.histogram == &perf::RunResult::wire || m.histogram == &perf::RunResult::wire_from_call;
  return (!wire || r.has_wire) && (r.*m.histogram).count() != 0;
}

double msgs_per_second(const perf::RunResult& r) {
  return r.total_seconds > 0 ? static_cast<double>(r.delivered) / r.total_seconds : 0.0;
}

}  // namespace

void print_table(const Workload& w, std::string_view preset, const std::vector<RunResult>& runs) {
  const std::string preset_name(preset);
  const bool latency = w.mode == perf::Mode::kLatency;
  std::printf("\nringkafka-perf: %s mode, %" PRIu64 " records (+%" PRIu64
              " warm-up), value %zu B, key %s, %u thread%s, preset %s",
              latency ? "latency" : "throughput", w.count, w.warmup, w.value_size,
              w.key_size == 0 ? "null" : format("%zu B", w.key_size).c_str(), w.threads,
              w.threads == 1 ? "" : "s", preset_name.empty() ? "(defaults)" : preset_name.c_str());
  if (latency) std::printf(", target %.0f records/s", w.rate);
  std::printf("\n\n%-26s", "latency");
  for (const auto& p : kPercentiles) std::printf("%s", pad(p.name, 9).c_str());
  std::printf("\n");
  for (const auto& m : kMetrics) {
    if (m.histogram == &perf::RunResult::late && !latency) continue;
    for (const auto& r : runs) {
      std::printf("%-26s", (r.client + " " + m.label).c_str());
      for (const auto& p : kPercentiles) {
        std::printf("%s", pad(has(r, m) ? human_ns(at(r.*m.histogram, p.percentile)) : "n/a", 9).c_str());
      }
      std::printf("\n");
    }
    // `late` is the load generator's, not a client's: no ratio.
    for (std::size_t k = 1; k < runs.size(); ++k) {
      if (m.histogram == &perf::RunResult::late || !has(runs[0], m) || !has(runs[k], m)) continue;
      const std::string label = runs.size() == 2 ? std::string("  ratio ") + m.label
                                                 : "  " + runs[k].client + "/rk " + m.label;
      std::printf("%-26s", label.c_str());
      for (const auto& p : kPercentiles) {
        const auto ours = static_cast<double>(at(runs[0].*m.histogram, p.percentile));
        const auto theirs = static_cast<double>(at(runs[k].*m.histogram, p.percentile));
        std::printf("%s", pad(format("%.2fx", theirs / std::max(ours, 1.0)), 9).c_str());
      }
      std::printf("\n");
    }
  }
  if (runs.size() == 2) {
    std::printf("(ratio: %s / ringkafka; above 1, ringkafka is faster)\n", runs[1].client.c_str());
  } else if (runs.size() > 2) {
    std::printf("(peer/rk: the peer's figure / ringkafka's; above 1, ringkafka is faster)\n");
  }

  std::printf("\n%-12s %10s %7s %10s %11s %11s %8s %8s %6s %11s\n", "client", "records", "failed",
              "target/s", "produced/s", "acked/s", "MB/s", "cpu s", "cpu %", "queue-full");
  for (const auto& r : runs) {
    const double produced = r.produce_seconds > 0 ? static_cast<double>(r.delivered) / r.produce_seconds : 0.0;
    const double cpu = r.cpu_user_seconds + r.cpu_system_seconds;
    std::printf("%-12s %10" PRIu64 " %7" PRIu64 " %10s %11.0f %11.0f %8.2f %8.2f %6.0f %11" PRIu64 "\n",
                r.client.c_str(), r.delivered, r.failed, latency ? format("%.0f", w.rate).c_str() : "-",
                produced, msgs_per_second(r),
                msgs_per_second(r) * static_cast<double>(w.value_size + w.key_size) / 1e6, cpu,
                r.wall_seconds > 0 ? 100.0 * cpu / r.wall_seconds : 0.0, r.queue_full);
  }
  std::printf("(records: measured ones delivered; produced/s: accepted by produce() over the measured\n"
              " records' span; acked/s and MB/s (key + value): delivered up to the last report;\n"
              " cpu: the whole process over the run, warm-up and draining included)\n");
}

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20) {
      out += format("\\u%04x", static_cast<unsigned>(u));
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace

bool write_json(const std::string& path, const Workload& w, std::string_view topic,
                std::string_view preset, const std::vector<RunResult>& runs) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  const bool latency = w.mode == perf::Mode::kLatency;
  std::fprintf(f, "{\n  \"tool\": \"ringkafka-perf\",\n  \"workload\": {\"mode\": \"%s\", ",
               latency ? "latency" : "throughput");
  if (latency) {
    std::fprintf(f, "\"rate\": %.17g, ", w.rate);
  } else {
    std::fprintf(f, "\"rate\": null, ");
  }
  std::fprintf(f,
               "\"count\": %" PRIu64 ", \"warmup\": %" PRIu64 ", \"value_size\": %zu, "
               "\"key_size\": %zu, \"threads\": %u, \"spin_ns\": %" PRId64 ", \"topic\": %s, "
               "\"preset\": %s},\n  \"clients\": [",
               w.count, w.warmup, w.value_size, w.key_size, w.threads, w.spin_ns,
               json_string(topic).c_str(), preset.empty() ? "null" : json_string(preset).c_str());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const perf::RunResult& r = runs[i];
    const double produced = r.produce_seconds > 0 ? static_cast<double>(r.delivered) / r.produce_seconds : 0.0;
    std::fprintf(f,
                 "%s\n    {\"client\": %s, \"records\": %" PRIu64 ", \"accepted\": %" PRIu64
                 ", \"failed\": %" PRIu64 ", \"undelivered\": %" PRIu64 ", \"queue_full\": %" PRIu64
                 ",\n     \"first_error\": %s, \"target_rate\": %s, \"produced_per_s\": %.1f, "
                 "\"msgs_per_s\": %.1f, \"mb_per_s\": %.3f,\n     \"produce_seconds\": %.6f, "
                 "\"total_seconds\": %.6f, \"wall_seconds\": %.6f, \"cpu_user_seconds\": %.6f, "
                 "\"cpu_system_seconds\": %.6f,\n     \"latency_ns\": {",
                 i == 0 ? "" : ",", json_string(r.client).c_str(), r.delivered, r.accepted, r.failed,
                 r.undelivered, r.queue_full,
                 r.first_error.empty() ? "null" : json_string(r.first_error).c_str(),
                 latency ? format("%.17g", w.rate).c_str() : "null", produced, msgs_per_second(r),
                 msgs_per_second(r) * static_cast<double>(w.value_size + w.key_size) / 1e6,
                 r.produce_seconds, r.total_seconds, r.wall_seconds, r.cpu_user_seconds,
                 r.cpu_system_seconds);
    for (std::size_t j = 0; j < std::size(kMetrics); ++j) {
      const Metric& m = kMetrics[j];
      std::fprintf(f, "%s\n       \"%s\": ", j == 0 ? "" : ",", m.key);
      if (!has(r, m)) {
        std::fprintf(f, "null");
        continue;
      }
      const auto& h = r.*m.histogram;
      std::fprintf(f, "{\"count\": %" PRIu64 ", \"min\": %" PRIu64 ", \"mean\": %.1f",
                   h.count(), h.min(), h.mean());
      for (const auto& p : kPercentiles) {
        std::fprintf(f, ", \"%s\": %" PRIu64, p.name, at(h, p.percentile));
      }
      std::fprintf(f, "}");
    }
    std::fprintf(f, "},\n     \"config\": {");
    for (std::size_t j = 0; j < r.config.size(); ++j) {
      std::fprintf(f, "%s%s: %s", j == 0 ? "" : ", ", json_string(r.config[j].first).c_str(),
                   json_string(r.config[j].second).c_str());
    }
    std::fprintf(f, "}}");
  }
  std::fprintf(f, "\n  ]\n}\n");
  return std::fclose(f) == 0;
}

bool write_hist(const std::string& path, const std::vector<perf::RunResult>& runs) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  for (const auto& r : runs) {
    for (const auto& m : kMetrics) {
      if (!has(r, m)) continue;
      std::fprintf(f, "# ringkafka-perf %s %s latency, values in microseconds\n", r.client.c_str(), m.key);
      (r.*m.histogram).print_percentiles(f, 1000.0);
      std::fprintf(f, "\n");
    }
  }
  return std::fclose(f) == 0;
}

}  // namespace perf
