// ringkafka::to_prometheus: text exposition format 0.0.4.  Each family
// once, with # HELP and # TYPE, then its samples; label values escaped
// (backslash, double quote, newline) as the format requires.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "ringkafka/statistics.h"

namespace ringkafka {
namespace {

class Writer {
 public:
  explicit Writer(std::string_view client_id) { label("client_id", client_id, base_); }

  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ringkafka_";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ringkafka_";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  // A sample: `labels` is "" or `,name="value"...` after client_id.
  void sample(std::string_view name, const std::string& labels, double value) {
    out_ += "ringkafka_";
    out_ += name;
    out_ += '{';
    out_ += base_;
    out_ += labels;
    out_ += "} ";
    // to_chars: the shortest exact form, and no locale's decimal comma.
    char number[40];
    if (value != value) {
      out_ += "NaN";
    } else {
      const auto r = std::to_chars(number, number + sizeof number, value);
      out_.append(number, r.ptr);
    }
    out_ += '\n';
  }
  void sample(std::string_view name, const std::string& labels, std::uint64_t value) {
    sample(name, labels, static_cast<double>(value));
  }
  // A latency as a summary in seconds: the window's quantiles (NaN for an
  // empty window, as client libraries write them), the running _sum and
  // _count, which only grow.
  void summary(std::string_view name, const std::string& labels, const LatencySummary& l) {
    const std::pair<const char*, std::uint64_t> q[] = {
        {"0.5", l.p50_ns}, {"0.9", l.p90_ns}, {"0.99", l.p99_ns}, {"0.999", l.p999_ns}};
    for (const auto& [at, ns] : q) {
      std::string with = labels;
      with += ",quantile=\"";
      with += at;
      with += '"';
      sample(name, with, l.count == 0 ? std::nan("") : static_cast<double>(ns) / 1e9);
    }
    const std::string n(name);
    sample(n + "_sum", labels, static_cast<double>(l.total_ns) / 1e9);
    sample(n + "_count", labels, l.total_count);
  }

  static void label(std::string_view name, std::string_view value, std::string& to) {
    to += name;
    to += "=\"";
    for (const char c : value) {
      if (c == '\\') {
        to += "\\\\";
      } else if (c == '"') {
        to += "\\\"";
      } else if (c == '\n') {
        to += "\\n";
      } else {
        to += c;
      }
    }
    to += '"';
  }
  std::string take() { return std::move(out_); }

 private:
  std::string base_;
  std::string out_;
};

std::string broker_labels(const BrokerStats& b) {
  std::string l = ",";
  Writer::label("broker", std::to_string(b.node_id), l);
  l += ',';
  Writer::label("host", b.host + ":" + std::to_string(b.port), l);
  return l;
}

std::string partition_labels(const PartitionStats& p) {
  std::string l = ",";
  Writer::label("topic", p.topic, l);
  l += ',';
  Writer::label("partition", std::to_string(p.partition), l);
  return l;
}

}  // namespace

std::string to_prometheus(const Statistics& s) {
  Writer w(s.client_id);
  const std::string none;
  const auto counter = [&](std::string_view name, std::string_view help, std::uint64_t v) {
    w.family(name, "counter", help);
    w.sample(name, none, v);
  };
  const auto gauge = [&](std::string_view name, std::string_view help, double v) {
    w.family(name, "gauge", help);
    w.sample(name, none, v);
  };
  counter("records_accepted_total", "Records produce() accepted.", s.records_accepted);
  counter("records_delivered_total", "Records acknowledged by the broker.", s.records_delivered);
  w.family("records_failed_total", "counter", "Records whose report is an error, by cause.");
  for (std::size_t i = 1; i < s.failed_by_cause.size(); ++i) {
    std::string l = ",";
    Writer::label("cause", to_string(static_cast<Errc>(i)), l);
    w.sample("records_failed_total", l, s.failed_by_cause[i]);
  }
  gauge("records_in_flight", "Records accepted and not yet reported.",
        static_cast<double>(s.records_in_flight));
  counter("produce_requests_total", "Produce requests sent.", s.produce_requests);
  counter("batches_sent_total", "Batches sent; a retried batch counts again.", s.batches_sent);
  counter("batch_retries_total", "Batches retried.", s.batch_retries);
  gauge("requests_in_flight", "Requests awaiting an answer.",
        static_cast<double>(s.requests_in_flight));
  gauge("buffer_memory_used_bytes", "Batch buffers holding records (buffer.memory).",
        static_cast<double>(s.buffer_memory_used));
  gauge("buffer_memory_bytes", "buffer.memory.", static_cast<double>(s.buffer_memory));

  const std::pair<const char*, const LatencySummary*> stages[] = {
      {"int_latency_seconds", &s.int_latency},
      {"outbuf_seconds", &s.outbuf},
      {"rtt_seconds", &s.rtt},
      {"report_latency_seconds", &s.report_latency}};
  for (const auto& [name, l] : stages) {
    w.family(name, "summary", "A stage of a record's path over the last window (docs/observability.md).");
    w.summary(name, none, *l);
  }

  w.family("thread_ring_used_bytes", "gauge", "Bytes in a producing thread's ring not yet taken.");
  for (const ThreadStats& t : s.threads) {
    std::string l = ",";
    Writer::label("thread", std::to_string(t.index), l);
    w.sample("thread_ring_used_bytes", l, t.ring_used);
  }

  const std::pair<const char*, std::uint64_t BrokerStats::*> broker_counters[] = {
      {"broker_connects_total", &BrokerStats::connects},
      {"broker_failures_total", &BrokerStats::failures},
      {"broker_requests_total", &BrokerStats::requests},
      {"broker_request_bytes_total", &BrokerStats::request_bytes},
      {"broker_responses_total", &BrokerStats::responses},
      {"broker_response_bytes_total", &BrokerStats::response_bytes},
      {"broker_throttle_milliseconds_total", &BrokerStats::throttle_ms}};
  for (const auto& [name, field] : broker_counters) {
    w.family(name, "counter", "Per broker (docs/observability.md).");
    for (const BrokerStats& b : s.brokers) w.sample(name, broker_labels(b), b.*field);
  }
  w.family("broker_up", "gauge", "1 while the connection is ready.");
  for (const BrokerStats& b : s.brokers) {
    w.sample("broker_up", broker_labels(b), b.state == "up" ? 1.0 : 0.0);
  }
  w.family("broker_rtt_seconds", "summary", "Request round trip per broker over the last window.");
  for (const BrokerStats& b : s.brokers) w.summary("broker_rtt_seconds", broker_labels(b), b.rtt);

  const std::pair<const char*, std::uint64_t PartitionStats::*> partition_counters[] = {
      {"partition_records_total", &PartitionStats::records},
      {"partition_batches_total", &PartitionStats::batches},
      {"partition_bytes_total", &PartitionStats::bytes},
      {"partition_wire_bytes_total", &PartitionStats::wire_bytes}};
  for (const auto& [name, field] : partition_counters) {
    w.family(name, "counter", "Per partition (docs/observability.md).");
    for (const PartitionStats& p : s.partitions) w.sample(name, partition_labels(p), p.*field);
  }
  w.family("partition_leader", "gauge", "The partition's leader (node id).");
  for (const PartitionStats& p : s.partitions) {
    w.sample("partition_leader", partition_labels(p), static_cast<double>(p.leader));
  }
  return w.take();
}

}  // namespace ringkafka
