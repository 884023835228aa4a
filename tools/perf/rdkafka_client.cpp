#include "rdkafka_client.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdint>
#include <memory>

#include "partition/partitioner.h"

namespace perf {

// ringkafka's resolved settings as librdkafka 2.0.2 keys.  Both clients get
// the same batching, durability and compression; what librdkafka lacks is
// left out.
//
//   ringkafka                      librdkafka
//   acks                           acks
//   linger.ms                      linger.ms
//   batch.size                     batch.size
//   buffer.memory                  queue.buffering.max.kbytes (rounded up), and
//                                  queue.buffering.max.messages=10000000 so that
//                                  bytes, not a count, bound the queue, as here
//   compression.type               compression.codec
//   compression level              compression.level; not set for a codec's default
//                                  (ringkafka's lz4 9 is LZ4's fast mode, which is
//                                  librdkafka's default; its 9 would be LZ4 HC)
//   enable.idempotence (resolved)  enable.idempotence
//   max.in.flight.requests.per.connection  the same
//   retries                        retries
//   retry.backoff.ms               retry.backoff.ms (librdkafka: 1..300000)
//   delivery.timeout.ms            message.timeout.ms
//   request.timeout.ms             request.timeout.ms (librdkafka: 1..900000)
//   max.request.size               message.max.bytes (librdkafka: 1000..1000000000)
//   metadata.max.age.ms            metadata.max.age.ms
//   reconnect.backoff[.max].ms     the same
//   partitioner sticky             murmur2_random (keys by murmur2, as Java and
//                                  ringkafka); null keys then follow librdkafka's
//                                  sticky.partitioning.linger.ms (10 ms)
//   partitioner, other names       the same name, sticky.partitioning.linger.ms=0
//                                  (per record, as ringkafka's)
//   (TCP_NODELAY, always)          socket.nagle.disable=true
//   max.block.ms                   none: librdkafka never blocks in produce
//   ring.bytes, sender.*, io_uring.*, report.queue.size: ringkafka's own
KeyValues rdkafka_config_for(const ringkafka::config::Settings& s, std::string_view bootstrap) {
  namespace partition = ringkafka::partition;
  using ringkafka::wire::Compression;
  auto num = [](std::int64_t v, std::int64_t lo, std::int64_t hi) {
    return std::to_string(std::clamp(v, lo, hi));
  };
  KeyValues kv = {
      {"bootstrap.servers", std::string(bootstrap)},
      {"acks", std::to_string(s.acks)},
      {"linger.ms", std::to_string(s.linger_ms)},
      {"batch.size", std::to_string(s.batch_size)},
      {"queue.buffering.max.kbytes", num((s.buffer_memory + 1023) / 1024, 1, INT32_MAX)},
      {"queue.buffering.max.messages", "10000000"},
      {"enable.idempotence", s.enable_idempotence ? "true" : "false"},
      {"max.in.flight.requests.per.connection", std::to_string(s.max_in_flight)},
      {"retries", std::to_string(s.retries)},
      {"retry.backoff.ms", num(s.retry_backoff_ms, 1, 300000)},
      {"message.timeout.ms", std::to_string(s.delivery_timeout_ms)},
      {"request.timeout.ms", num(s.request_timeout_ms, 1, 900000)},
      {"message.max.bytes", num(s.max_request_size, 1000, 1000000000)},
      {"metadata.max.age.ms", num(s.metadata_max_age_ms, 1, 86400000)},
      {"reconnect.backoff.ms", num(s.reconnect_backoff_ms, 0, 3600000)},
      {"reconnect.backoff.max.ms", num(s.reconnect_backoff_max_ms, 0, 3600000)},
      {"socket.nagle.disable", "true"},
  };
  static constexpr const char* kCodecs[] = {"none", "gzip", "snappy", "lz4", "zstd"};
  kv.emplace_back("compression.codec", kCodecs[static_cast<unsigned>(s.compression)]);
  const bool default_level = s.compression_level == 0 || s.compression_level == -1 ||
                             (s.compression == Compression::kLz4 && s.compression_level == 9);
  if (!default_level) kv.emplace_back("compression.level", std::to_string(s.compression_level));
  if (s.partitioner == partition::Kind::kSticky) {
    kv.emplace_back("partitioner", "murmur2_random");
  } else if (s.partitioner != partition::Kind::kUser) {
    kv.emplace_back("partitioner", std::string(partition::name(s.partitioner)));
    kv.emplace_back("sticky.partitioning.linger.ms", "0");
  }
  return kv;
}

namespace {

class RdkafkaClient {
 public:
  struct Thread {
    ThreadStats* stats;
  };

  RdkafkaClient(rd_kafka_t* rk, rd_kafka_topic_t* rkt) noexcept : rk_(rk), rkt_(rkt) {}

  // Delivery callbacks run inside rd_kafka_poll on the calling thread, for
  // any thread's records: they go to the calling thread's stats.
  static Thread begin_thread(ThreadStats& stats) noexcept {
    current_ = &stats;
    return Thread{&stats};
  }

  // librdkafka's RD_KAFKA_V_* macros are C casts.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
  Status produce(Thread& t, const Payload& p, void* opaque) noexcept {
    const rd_kafka_resp_err_t e = rd_kafka_producev(
        rk_, RD_KAFKA_V_RKT(rkt_), RD_KAFKA_V_KEY(p.key, p.key_size),
        RD_KAFKA_V_VALUE(const_cast<char*>(p.value), p.value_size),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::kOk;
    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) return Status::kFull;
    t.stats->on_failure(rd_kafka_err2str(e));
    return Status::kRefused;
  }
#pragma GCC diagnostic pop

  std::size_t poll(Thread&) noexcept { return static_cast<std::size_t>(rd_kafka_poll(rk_, 0)); }

  // Waits up to 1 ms for a report, which frees room.
  void wait_for_room(Thread&) noexcept { (void)rd_kafka_poll(rk_, 1); }

  // Any thread serves any thread's reports: wait until none is left.
  bool pending(Thread&) noexcept { return rd_kafka_outq_len(rk_) > 0; }

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    current_->on_report(m->_private, -1, m->err != RD_KAFKA_RESP_ERR_NO_ERROR ? rd_kafka_err2str(m->err) : nullptr);
  }

 private:
  static thread_local ThreadStats* current_;
  rd_kafka_t* rk_;
  rd_kafka_topic_t* rkt_;
};

thread_local ThreadStats* RdkafkaClient::current_ = nullptr;


}  // namespace

RdkafkaHandles::~RdkafkaHandles() {
  if (rkt != nullptr) rd_kafka_topic_destroy(rkt);
  if (rk != nullptr) rd_kafka_destroy(rk);
}

std::optional<std::string> make_rdkafka(const KeyValues& config, std::string_view topic,
                                        RdkafkaDelivery on_delivery, void* opaque,
                                        RdkafkaHandles& out) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [key, value] : config) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return "librdkafka: " + key + "=" + value + ": " + err;
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, opaque);
  out.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);  // owns conf on success
  if (out.rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return std::string("librdkafka: ") + err;
  }
  out.rkt = rd_kafka_topic_new(out.rk, std::string(topic).c_str(), nullptr);
  if (out.rkt == nullptr) return std::string("librdkafka: ") + rd_kafka_err2str(rd_kafka_last_error());
  return std::nullopt;
}

std::optional<std::string> run_rdkafka(const KeyValues& config, std::string_view topic,
                                       const Workload& w, RunResult& out) {
  RdkafkaHandles h;
  if (auto e = make_rdkafka(config, topic, &RdkafkaClient::on_delivery, nullptr, h)) return e;
  RdkafkaClient client(h.rk, h.rkt);
  const int drain_ms = static_cast<int>(std::min<std::int64_t>(w.drain_timeout_ns / 1'000'000, INT32_MAX));

  {
    ThreadStats prime;
    auto t = RdkafkaClient::begin_thread(prime);
    for (std::uint64_t i = 0; i < 16; ++i) {
      const Payload p{reinterpret_cast<const char*>(&i), sizeof i, "prime", 5};
      Status st;
      while ((st = client.produce(t, p, nullptr)) == Status::kFull) client.wait_for_room(t);
      if (st == Status::kOk) ++prime.accepted;
    }
    (void)rd_kafka_flush(h.rk, drain_ms);
    if (prime.failed != 0) return std::string("priming failed: ") + prime.first_error;
    if (prime.reported != prime.accepted) return std::string("priming timed out: no delivery reports");
  }

  Measured m = run_workload(client, w);

  auto tail = std::make_unique<ThreadStats>();
  (void)RdkafkaClient::begin_thread(*tail);
  (void)rd_kafka_flush(h.rk, 5000);
  out.undelivered = static_cast<std::uint64_t>(std::max(rd_kafka_outq_len(h.rk), 0));
  m.threads.push_back(std::move(tail));
  merge(m, out);
  out.has_wire = false;
  out.failed += out.undelivered;
  if (out.undelivered != 0 && out.first_error.empty()) out.first_error = "no delivery report";
  return std::nullopt;
}

}  // namespace perf
