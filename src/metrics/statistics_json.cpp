// ringkafka::to_json: the snapshot through nlohmann::json, which does the
// escaping (topic names and error texts are the user's and the broker's).
#include <nlohmann/json.hpp>

#include "ringkafka/statistics.h"

namespace ringkafka {
namespace {

using Json = nlohmann::ordered_json;  // fields in the order of statistics.h

Json latency(const LatencySummary& l) {
  return Json{{"total_count", l.total_count}, {"total", l.total_ns}, {"count", l.count},
              {"mean", l.mean_ns},  {"min", l.min_ns},   {"p50", l.p50_ns},
              {"p90", l.p90_ns},    {"p99", l.p99_ns},   {"p99_9", l.p999_ns},
              {"max", l.max_ns}};
}

}  // namespace

std::string to_json(const Statistics& s) {
  Json failed = Json::object();
  for (std::size_t i = 1; i < s.failed_by_cause.size(); ++i) {
    if (s.failed_by_cause[i] != 0) failed[to_string(static_cast<Errc>(i))] = s.failed_by_cause[i];
  }
  Json threads = Json::array();
  for (const ThreadStats& t : s.threads) {
    threads.push_back({{"index", t.index},
                       {"ring_bytes", t.ring_bytes},
                       {"ring_used", t.ring_used},
                       {"accepted", t.accepted},
                       {"reported", t.reported}});
  }
  Json brokers = Json::array();
  for (const BrokerStats& b : s.brokers) {
    brokers.push_back({{"node_id", b.node_id},
                       {"host", b.host},
                       {"port", b.port},
                       {"state", b.state},
                       {"last_error", b.last_error},
                       {"connects", b.connects},
                       {"failures", b.failures},
                       {"requests", b.requests},
                       {"request_bytes", b.request_bytes},
                       {"responses", b.responses},
                       {"response_bytes", b.response_bytes},
                       {"in_flight", b.in_flight},
                       {"throttle_ms", b.throttle_ms},
                       {"last_throttle_ms", b.last_throttle_ms},
                       {"outbuf_ns", latency(b.outbuf)},
                       {"rtt_ns", latency(b.rtt)}});
  }
  Json partitions = Json::array();
  for (const PartitionStats& p : s.partitions) {
    partitions.push_back({{"topic", p.topic},
                          {"partition", p.partition},
                          {"leader", p.leader},
                          {"leader_epoch", p.leader_epoch},
                          {"records", p.records},
                          {"batches", p.batches},
                          {"bytes", p.bytes},
                          {"wire_bytes", p.wire_bytes},
                          {"avg_batch_fill", p.avg_batch_fill},
                          {"max_batch_fill", p.max_batch_fill},
                          {"compression_ratio", p.compression_ratio},
                          {"batches_in_flight", p.batches_in_flight},
                          {"next_sequence", p.next_sequence}});
  }
  const Json j = {{"client_id", s.client_id},
                  {"time_ms", s.time_ms},
                  {"age_us", s.age_us},
                  {"window_us", s.window_us},
                  {"snapshot", s.snapshot},
                  {"records_accepted", s.records_accepted},
                  {"records_delivered", s.records_delivered},
                  {"records_failed", s.records_failed},
                  {"records_in_flight", s.records_in_flight},
                  {"failed_by_cause", failed},
                  {"produce_requests", s.produce_requests},
                  {"batches_sent", s.batches_sent},
                  {"batch_retries", s.batch_retries},
                  {"requests_in_flight", s.requests_in_flight},
                  {"buffer_memory_used", s.buffer_memory_used},
                  {"buffer_memory", s.buffer_memory},
                  {"producer_id", s.producer_id},
                  {"producer_epoch", s.producer_epoch},
                  {"int_latency_ns", latency(s.int_latency)},
                  {"outbuf_ns", latency(s.outbuf)},
                  {"rtt_ns", latency(s.rtt)},
                  {"report_latency_ns", latency(s.report_latency)},
                  {"threads", threads},
                  {"brokers", brokers},
                  {"partitions", partitions}};
  // Texts from brokers and users may not be UTF-8 (and a worded failure is
  // cut at a byte count): replaced, never thrown.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace ringkafka
