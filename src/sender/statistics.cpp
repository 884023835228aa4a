#include "sender/statistics.h"

#include <new>

#include "metrics/summary.h"

namespace ringkafka::sender {
namespace {

using broker::Connection;

const char* state_name(Connection::State s) noexcept {
  switch (s) {
    case Connection::State::kIdle: return "init";
    case Connection::State::kResolving: return "resolving";
    case Connection::State::kConnecting: return "connecting";
    case Connection::State::kHandshake: return "handshake";
    case Connection::State::kReady: return "up";
    case Connection::State::kClosing: return "closing";
    case Connection::State::kBackoff: return "backoff";
  }
  return "unknown";
}

// `v` grown or shrunk to `n` elements, keeping those it has (and their
// strings' storage).
template <class T>
void fit(std::vector<T>& v, std::size_t n) {
  if (v.size() != n) v.resize(n);
}

// What may throw (strings, the vector's growth): before any window is read.
void fill_brokers(const broker::Brokers& brokers, Statistics& out) {
  std::size_t n = 0;
  for (const Connection& c : brokers) {
    (void)c;
    ++n;
  }
  fit(out.brokers, n);
  std::size_t i = 0;
  for (const Connection& c : brokers) {
    BrokerStats& b = out.brokers[i++];
    const broker::ConnectionStats& k = c.stats;
    b.node_id = c.node_id();
    b.host = c.host();
    b.port = c.port();
    b.state = state_name(c.state());
    b.last_error = c.failure_text();
    b.connects = k.connects;
    b.failures = k.failures;
    b.requests = k.requests;
    b.request_bytes = k.request_bytes;
    b.responses = k.responses;
    b.response_bytes = k.response_bytes;
    b.in_flight = c.in_flight_count();
    b.throttle_ms = k.throttle_ms;
    b.last_throttle_ms = k.last_throttle_ms;
    out.requests_in_flight += b.in_flight;
  }
}

// Each connection's windows summarized, merged into the producer's, reset.
void close_broker_windows(broker::Brokers& brokers, Statistics& out, metrics::Histogram& outbuf,
                          metrics::Histogram& rtt) noexcept {
  outbuf.reset();
  rtt.reset();
  std::size_t i = 0;
  for (Connection& c : brokers) {
    BrokerStats& b = out.brokers[i++];
    broker::ConnectionStats& k = c.stats;
    metrics::summarize(k.outbuf_ns, k.outbuf_totals, b.outbuf);
    metrics::summarize(k.rtt_ns, k.rtt_totals, b.rtt);
    outbuf.add(k.outbuf_ns);
    rtt.add(k.rtt_ns);
    k.outbuf_ns.reset();
    k.rtt_ns.reset();
  }
}

void fill_partitions(const accumulator::Accumulator& acc, std::size_t batch_size,
                     Statistics& out) {
  std::size_t n = 0;
  for (const auto& t : acc.topics()) {
    for (const auto& ps : t.partitions) n += ps.counters.batches != 0 ? 1 : 0;
  }
  fit(out.partitions, n);
  std::size_t i = 0;
  for (const auto& t : acc.topics()) {
    for (std::size_t p = 0; p < t.partitions.size(); ++p) {
      const accumulator::PartitionState& ps = t.partitions[p];
      const accumulator::PartitionCounters& k = ps.counters;
      if (k.batches == 0) continue;
      PartitionStats& o = out.partitions[i++];
      o.topic = t.name;
      o.partition = static_cast<std::int32_t>(p);
      o.leader = ps.leader;
      o.leader_epoch = ps.leader_epoch;
      o.records = k.records;
      o.batches = k.batches;
      o.bytes = k.bytes;
      o.wire_bytes = k.wire_bytes;
      const double full = static_cast<double>(batch_size);
      o.avg_batch_fill = static_cast<double>(k.bytes) / (static_cast<double>(k.batches) * full);
      o.max_batch_fill = static_cast<double>(k.max_batch_bytes) / full;
      o.compression_ratio =
          k.wire_bytes == 0 ? 0 : static_cast<double>(k.bytes) / static_cast<double>(k.wire_bytes);
      o.batches_in_flight = ps.in_flight;
      o.next_sequence = ps.next_sequence;
    }
  }
}

void fill_threads(const handoff::Shared& shared, Statistics& out) {
  const std::uint32_t used = shared.slots_in_use.load(std::memory_order_acquire);
  fit(out.threads, used);
  for (std::uint32_t i = 0; i < used; ++i) {
    const handoff::Slot& slot = *shared.slots[i];
    ThreadStats& t = out.threads[i];
    t.index = i;
    t.ring_bytes = slot.ring.capacity();
    t.ring_used = slot.ring.used() + slot.large.used();
    // reported first: it never passes accepted (handoff/shared.h).
    t.reported = slot.reported.load(std::memory_order_acquire);
    t.accepted = slot.accepted.load(std::memory_order_acquire);
  }
}

}  // namespace

bool StatisticsBuilder::build(const StatisticsSources& from, std::int64_t now_ns,
                              std::int64_t now_ms, Statistics& out) noexcept {
  const config::Settings& s = from.shared.settings;
  try {
    out.client_id = s.client_id;
    out.time_ms = now_ms;
    out.age_us = (now_ns - started_ns_) / 1000;
    out.window_us = (now_ns - window_start_ns_) / 1000;
    out.snapshot = ++count_;

    const auto& causes = from.reporter.by_cause();
    out.failed_by_cause = causes;
    out.failed_by_cause[0] = 0;
    out.records_delivered = causes[0];
    out.records_failed = 0;
    for (std::size_t i = 1; i < causes.size(); ++i) out.records_failed += causes[i];

    fill_threads(from.shared, out);
    out.records_accepted = 0;
    std::uint64_t reported = 0;
    for (const ThreadStats& t : out.threads) {
      out.records_accepted += t.accepted;
      reported += t.reported;
    }
    out.records_in_flight = out.records_accepted - reported;

    const auto& k = from.shared.counters;
    out.produce_requests = k.produce_requests.load(std::memory_order_relaxed);
    out.batches_sent = k.batches_sent.load(std::memory_order_relaxed);
    out.batch_retries = k.batch_retries.load(std::memory_order_relaxed);
    out.buffer_memory_used = from.acc.buffer_bytes_in_use();
    out.buffer_memory = static_cast<std::uint64_t>(s.buffer_memory);
    out.producer_id = from.pstate.producer_id();
    out.producer_epoch = from.pstate.producer_epoch();

    out.requests_in_flight = 0;
    fill_brokers(from.brokers, out);
    fill_partitions(from.acc, static_cast<std::size_t>(s.batch_size), out);
  } catch (const std::bad_alloc&) {
    --count_;
    return false;  // no window was read: the next try has it all
  }
  close_broker_windows(from.brokers, out, outbuf_ns_, rtt_ns_);
  metrics::summarize(from.acc.int_latency_ns(), int_latency_totals_, out.int_latency);
  metrics::summarize(outbuf_ns_, outbuf_totals_, out.outbuf);
  metrics::summarize(rtt_ns_, rtt_totals_, out.rtt);
  metrics::summarize(from.reporter.latency_ns(), report_totals_, out.report_latency);
  from.acc.int_latency_ns().reset();
  from.reporter.latency_ns().reset();
  window_start_ns_ = now_ns;
  return true;
}

}  // namespace ringkafka::sender
