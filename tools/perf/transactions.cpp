#include "transactions.h"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <thread>

#include "ringkafka/producer.h"

namespace perf {
namespace {

namespace rk = ringkafka;
using namespace std::chrono_literals;

// Keys distinct per record ("k" and the number, padded to the key size),
// values of the value size.
struct Records {
  explicit Records(const TxnWorkload& w) : value(w.value_size, 'v'), key(w.key_size, '0') {}
  std::string_view key_of(std::uint64_t i) {
    if (key.empty()) return {};
    char digits[24];
    const int n = std::snprintf(digits, sizeof digits, "%" PRIu64, i);
    const std::size_t k = std::min(key.size(), static_cast<std::size_t>(n));
    std::copy(digits + n - static_cast<int>(k), digits + n, key.end() - static_cast<std::ptrdiff_t>(k));
    return key;
  }
  std::string value;
  std::string key;
};

double seconds(std::int64_t ns) noexcept { return static_cast<double>(ns) / 1e9; }

// --- ringkafka ----------------------------------------------------------------

struct RingkafkaRun {
  rk::Producer& p;
  rk::Topic topic;
  Records& records;
  TxnResult& out;
  rk::DeliveryReport reports[256];

  void poll() noexcept {
    const std::size_t n = p.poll(reports);
    for (std::size_t i = 0; i < n; ++i) {
      if (reports[i].ok()) continue;
      if (out.failed++ == 0) out.first_error = reports[i].message;
    }
  }
  // Produces `count` records as fast as they are accepted.
  bool produce(std::uint64_t first, std::uint64_t count) noexcept {
    for (std::uint64_t i = first; i < first + count; ++i) {
      const std::string_view key = records.key_of(i);
      rk::Errc e;
      while (rk::is_full(e = p.produce(topic, key.empty() ? rk::Bytes::null() : rk::Bytes(key),
                                       records.value))) {
        poll();
      }
      if (e != rk::Errc::kOk) {
        if (out.failed++ == 0) out.first_error = rk::to_string(e);
        return false;
      }
      if ((i & 63) == 0) poll();
    }
    return true;
  }
  // Until every report is in and polled.
  void drain() noexcept {
    while (p.in_flight() != 0) {
      poll();
      std::this_thread::yield();
    }
    while (p.poll(reports) != 0) {
    }
  }
};

std::optional<std::string> ringkafka_plain(const rk::Config& config, std::string_view topic,
                                           const TxnWorkload& w, TxnResult& out) {
  auto made = rk::Producer::create(config);
  if (!made) return made.error().message;
  rk::Producer& p = **made;
  auto handle = p.topic(topic);
  if (!handle) return handle.error().message;
  Records records(w);
  RingkafkaRun run{p, *handle, records, out, {}};
  // Primed: metadata and connections.
  if (!run.produce(0, 16) || p.flush(30s) != rk::Errc::kOk) return "priming failed";
  run.drain();
  const std::int64_t start = now_ns();
  if (!run.produce(16, w.per_transaction * w.transactions)) return std::nullopt;
  if (p.flush(120s) != rk::Errc::kOk) return "the plain run's flush timed out";
  out.plain_seconds = seconds(now_ns() - start);
  run.drain();
  return std::nullopt;
}

// --- librdkafka ---------------------------------------------------------------


void on_rdkafka_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto& out = *static_cast<TxnResult*>(opaque);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  if (out.failed++ == 0) out.first_error = rd_kafka_err2str(m->err);
}

// The run's settings, transactional if `transactional_id` is given.
std::optional<std::string> make_rdkafka_for(const KeyValues& config,
                                            const std::string* transactional_id,
                                            std::string_view topic, TxnResult& out,
                                            RdkafkaHandles& h) {
  KeyValues kv = config;
  if (transactional_id != nullptr) {
    kv.emplace_back("transactional.id", *transactional_id);
    // librdkafka wants message.timeout.ms <= transaction.timeout.ms (Java and
    // ringkafka do not); ringkafka's transaction.timeout.ms default is 60 s.
    kv.emplace_back("transaction.timeout.ms", "60000");
    kv.emplace_back("message.timeout.ms", "60000");
  }
  return make_rdkafka(kv, topic, &on_rdkafka_delivery, &out, h);
}

// librdkafka's RD_KAFKA_V_* macros are C casts.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
bool rdkafka_produce(RdkafkaHandles& h, Records& records, std::uint64_t first, std::uint64_t count,
                     TxnResult& out) {
  for (std::uint64_t i = first; i < first + count; ++i) {
    const std::string_view key = records.key_of(i);
    rd_kafka_resp_err_t e;
    while ((e = rd_kafka_producev(h.rk, RD_KAFKA_V_RKT(h.rkt),
                                  RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
                                  RD_KAFKA_V_VALUE(records.value.data(), records.value.size()),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      (void)rd_kafka_poll(h.rk, 1);
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (out.failed++ == 0) out.first_error = rd_kafka_err2str(e);
      return false;
    }
    if ((i & 63) == 0) (void)rd_kafka_poll(h.rk, 0);
  }
  return true;
}
#pragma GCC diagnostic pop

std::optional<std::string> rdkafka_error(const char* what, rd_kafka_error_t* e) {
  std::string s = std::string("librdkafka: ") + what + ": " + rd_kafka_error_string(e);
  rd_kafka_error_destroy(e);
  return s;
}

}  // namespace

std::optional<std::string> run_ringkafka_transactions(const rk::Config& config,
                                                      std::string_view topic,
                                                      const std::string& transactional_id,
                                                      const TxnWorkload& w, TxnResult& out) {
  if (auto e = ringkafka_plain(config, topic, w, out)) return e;
  rk::Config txn_config = config;
  if (auto set = txn_config.set("transactional.id", transactional_id); !set) {
    return set.error().message;
  }
  auto made = rk::Producer::create(txn_config);
  if (!made) return made.error().message;
  rk::Producer& p = **made;
  auto handle = p.topic(topic);
  if (!handle) return handle.error().message;
  if (auto r = p.init_transactions(60s); !r) return r.error().message;
  Records records(w);
  RingkafkaRun run{p, *handle, records, out, {}};
  for (std::uint64_t t = 0; t <= w.transactions; ++t) {  // the first: unmeasured
    const std::int64_t begin = now_ns();
    if (auto r = p.begin_transaction(); !r) return r.error().message;
    if (!run.produce(t * w.per_transaction, w.per_transaction)) return out.first_error;
    const std::int64_t commit = now_ns();
    if (auto r = p.commit_transaction(60s); !r) return r.error().message;
    const std::int64_t end = now_ns();
    run.drain();  // commit returned with every report in: polled here, untimed
    if (t == 0) continue;
    out.commit.record(static_cast<std::uint64_t>(end - commit));
    out.transaction.record(static_cast<std::uint64_t>(end - begin));
    out.txn_seconds += seconds(end - begin);
    out.records += w.per_transaction;
  }
  run.drain();
  return out.failed == 0 ? std::nullopt : std::optional<std::string>(out.first_error);
}

std::optional<std::string> run_rdkafka_transactions(const KeyValues& config,
                                                    std::string_view topic,
                                                    const std::string& transactional_id,
                                                    const TxnWorkload& w, TxnResult& out) {
  Records records(w);
  {
    RdkafkaHandles h;
    if (auto e = make_rdkafka_for(config, nullptr, topic, out, h)) return e;
    if (!rdkafka_produce(h, records, 0, 16, out)) return out.first_error;
    (void)rd_kafka_flush(h.rk, 30000);
    const std::int64_t start = now_ns();
    if (!rdkafka_produce(h, records, 16, w.per_transaction * w.transactions, out)) {
      return out.first_error;
    }
    if (rd_kafka_flush(h.rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return "librdkafka: the plain run's flush timed out";
    }
    out.plain_seconds = seconds(now_ns() - start);
  }
  RdkafkaHandles h;
  if (auto e = make_rdkafka_for(config, &transactional_id, topic, out, h)) return e;
  if (rd_kafka_error_t* e = rd_kafka_init_transactions(h.rk, 60000)) {
    return rdkafka_error("init_transactions", e);
  }
  for (std::uint64_t t = 0; t <= w.transactions; ++t) {
    const std::int64_t begin = now_ns();
    if (rd_kafka_error_t* e = rd_kafka_begin_transaction(h.rk)) {
      return rdkafka_error("begin_transaction", e);
    }
    if (!rdkafka_produce(h, records, t * w.per_transaction, w.per_transaction, out)) {
      return out.first_error;
    }
    const std::int64_t commit = now_ns();
    // It flushes first, serving the delivery reports.
    if (rd_kafka_error_t* e = rd_kafka_commit_transaction(h.rk, 60000)) {
      return rdkafka_error("commit_transaction", e);
    }
    const std::int64_t end = now_ns();
    if (t == 0) continue;
    out.commit.record(static_cast<std::uint64_t>(end - commit));
    out.transaction.record(static_cast<std::uint64_t>(end - begin));
    out.txn_seconds += seconds(end - begin);
    out.records += w.per_transaction;
  }
  return out.failed == 0 ? std::nullopt : std::optional<std::string>(out.first_error);
}

void print_transactions(const TxnWorkload& w, const std::vector<TxnResult>& runs) {
  std::printf("transactions of %" PRIu64 " records (%zu-byte values), %" PRIu64
              " measured per client\n\n",
              w.per_transaction, w.value_size, w.transactions);
  std::printf("%-12s %10s %10s %10s %10s %12s %12s %8s\n", "client", "commit p50", "p99", "max",
              "txn p50", "txn rec/s", "plain rec/s", "share");
  const auto us = [](const ringkafka::metrics::Histogram& h, double p) {
    return static_cast<double>(h.value_at_percentile(p)) / 1000.0;
  };
  for (const TxnResult& r : runs) {
    const double txn_rate = r.txn_seconds > 0 ? static_cast<double>(r.records) / r.txn_seconds : 0;
    const double plain_rate =
        r.plain_seconds > 0 ? static_cast<double>(w.per_transaction * w.transactions) / r.plain_seconds : 0;
    std::printf("%-12s %8.0fus %8.0fus %8.0fus %8.0fus %12.0f %12.0f %7.0f%%\n", r.client.c_str(),
                us(r.commit, 50), us(r.commit, 99), static_cast<double>(r.commit.max()) / 1000.0,
                us(r.transaction, 50), txn_rate, plain_rate,
                plain_rate > 0 ? 100.0 * txn_rate / plain_rate : 0);
  }
  if (runs.size() < 2) return;
  const TxnResult& ours = runs.front();
  for (std::size_t i = 1; i < runs.size(); ++i) {
    const TxnResult& peer = runs[i];
    const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0; };
    std::printf("\n%s / ringkafka: commit p50 %.2fx, p99 %.2fx; transactional throughput %.2fx "
                "(ringkafka / %s)\n",
                peer.client.c_str(),
                ratio(static_cast<double>(peer.commit.value_at_percentile(50)),
                      static_cast<double>(ours.commit.value_at_percentile(50))),
                ratio(static_cast<double>(peer.commit.value_at_percentile(99)),
                      static_cast<double>(ours.commit.value_at_percentile(99))),
                ratio(static_cast<double>(ours.records) / ours.txn_seconds,
                      static_cast<double>(peer.records) / peer.txn_seconds),
                peer.client.c_str());
  }
}

}  // namespace perf
