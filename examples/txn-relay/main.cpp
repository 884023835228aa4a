// Consume-transform-produce, exactly once: librdkafka's consumer reads the
// input topic (read_committed, no auto-commit), each value is upper-cased,
// and ringkafka writes the results and the consumer's positions in one
// transaction per batch, so that what was consumed and what was produced
// commit together or not at all.  A rebalance that fences this member
// makes send_offsets_to_transaction() abortable: the transaction is
// aborted and consumption restarts from the committed offsets.
//
//   txn-relay BOOTSTRAP INPUT OUTPUT GROUP COUNT
//
// Relays until COUNT records have been committed, then exits 0.
#include <librdkafka/rdkafka.h>
#include <ringkafka/producer.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;

// The consumer's group metadata as ringkafka takes it.  librdkafka hands
// it out only serialised (rd_kafka_consumer_group_metadata_write): magic
// "CGMDv2:", the generation (int32, host order), then the group id and the
// member id NUL-terminated, a null flag and the group instance id.
ringkafka::ConsumerGroupMetadata group_metadata(rd_kafka_t* consumer) {
  ringkafka::ConsumerGroupMetadata out;
  rd_kafka_consumer_group_metadata_t* md = rd_kafka_consumer_group_metadata(consumer);
  void* buffer = nullptr;
  std::size_t size = 0;
  if (rd_kafka_error_t* e = rd_kafka_consumer_group_metadata_write(md, &buffer, &size)) {
    rd_kafka_error_destroy(e);
  } else if (size > 11 && std::memcmp(buffer, "CGMDv2:", 7) == 0) {
    const char* p = static_cast<const char*>(buffer);
    const char* end = p + size;
    std::memcpy(&out.generation_id, p + 7, sizeof out.generation_id);
    p += 11;
    const auto next = [&]() -> std::string {
      const auto* nul =
          static_cast<const char*>(std::memchr(p, '\0', static_cast<std::size_t>(end - p)));
      if (nul == nullptr) return {};
      std::string s(p, nul);
      p = nul + 1;
      return s;
    };
    out.group_id = next();
    out.member_id = next();
    if (p < end && *p++ == 0) out.group_instance_id = next();
  }
  rd_kafka_mem_free(consumer, buffer);
  rd_kafka_consumer_group_metadata_destroy(md);
  return out;
}

// Back to the group's committed offsets, after an aborted transaction.
void rewind(rd_kafka_t* consumer) {
  rd_kafka_topic_partition_list_t* assigned = nullptr;
  if (rd_kafka_assignment(consumer, &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  if (rd_kafka_committed(consumer, assigned, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < assigned->cnt; ++i) {
      if (assigned->elems[i].offset < 0) assigned->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    if (rd_kafka_error_t* e = rd_kafka_seek_partitions(consumer, assigned, 10000)) {
      rd_kafka_error_destroy(e);
    }
  }
  rd_kafka_topic_partition_list_destroy(assigned);
}

rd_kafka_t* make_consumer(const char* bootstrap, const char* group, const char* input) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const std::pair<const char*, const char*> settings[] = {
      {"bootstrap.servers", bootstrap}, {"group.id", group},
      {"enable.auto.commit", "false"},  {"auto.offset.reset", "earliest"},
      {"isolation.level", "read_committed"},
  };
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "consumer %s: %s\n", key, err);
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
  }
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (consumer == nullptr) {
    std::fprintf(stderr, "consumer: %s\n", err);
    return nullptr;
  }
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, input, RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(consumer, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  return consumer;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP INPUT OUTPUT GROUP COUNT\n", argv[0]);
    return 2;
  }
  const long count = std::atol(argv[5]);
  rd_kafka_t* consumer = make_consumer(argv[1], argv[4], argv[2]);
  if (consumer == nullptr) return 1;

  auto config = ringkafka::Config::durable();  // acks=all, idempotent: what transactions need
  config.bootstrap_servers(argv[1]);
  const std::string txn_id = std::string("txn-relay-") + argv[4];
  if (auto set = config.set("transactional.id", txn_id); !set) {
    std::fprintf(stderr, "%s\n", set.error().message.c_str());
    return 1;
  }
  auto made = ringkafka::Producer::create(config);
  if (!made) {
    std::fprintf(stderr, "%s\n", made.error().message.c_str());
    return 1;
  }
  ringkafka::Producer& producer = *made.value();
  const ringkafka::Topic output = producer.topic(argv[3]).value();
  if (auto init = producer.init_transactions(30s); !init) {
    std::fprintf(stderr, "init_transactions: %s\n", init.error().message.c_str());
    return 1;
  }

  long committed = 0;
  int idle_polls = 0;
  ringkafka::DeliveryReport reports[256];
  while (committed < count && idle_polls < 60) {
    if (auto begun = producer.begin_transaction(); !begun) {
      std::fprintf(stderr, "begin_transaction: %s\n", begun.error().message.c_str());
      return 1;
    }
    // A batch: up to 500 records or 200 ms.
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> next_offsets;
    long batch = 0;
    const auto until = std::chrono::steady_clock::now() + 200ms;
    while (batch < 500 && std::chrono::steady_clock::now() < until) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 50);
      if (m == nullptr) continue;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::string value(static_cast<const char*>(m->payload), m->len);
        for (char& c : value) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        const ringkafka::Bytes key = m->key != nullptr ? ringkafka::Bytes(m->key, m->key_len)
                                                       : ringkafka::Bytes::null();
        ringkafka::Errc e;
        while (ringkafka::is_full(e = producer.produce(output, key, value))) {
          producer.poll(reports);  // a transaction's reports only count; commit says the rest
        }
        if (e != ringkafka::Errc::kOk) {
          std::fprintf(stderr, "produce: %s\n", ringkafka::to_string(e));
          return 1;
        }
        next_offsets[{rd_kafka_topic_name(m->rkt), m->partition}] = m->offset + 1;
        ++batch;
      }
      rd_kafka_message_destroy(m);
    }
    idle_polls = batch == 0 ? idle_polls + 1 : 0;

    std::vector<ringkafka::ConsumedOffset> offsets;
    for (const auto& [tp, offset] : next_offsets) {
      offsets.push_back({.topic = tp.first, .partition = tp.second, .offset = offset});
    }
    auto sent = producer.send_offsets_to_transaction(offsets, group_metadata(consumer), 30s);
    auto ended = sent ? producer.commit_transaction(30s) : sent;
    while (producer.poll(reports) != 0) {  // the batch's reports: the commit's answer covers them
    }
    if (ended) {
      committed += batch;
      continue;
    }
    if (ended.error().fatal()) {
      std::fprintf(stderr, "fatal: %s\n", ended.error().message.c_str());
      return 1;
    }
    // Abortable (a rebalance fenced this member, say): nothing of the batch
    // is visible to read_committed consumers; consume it again.
    std::fprintf(stderr, "aborting: %s\n", ended.error().message.c_str());
    if (auto aborted = producer.abort_transaction(30s); !aborted) {
      std::fprintf(stderr, "abort_transaction: %s\n", aborted.error().message.c_str());
      return 1;
    }
    rewind(consumer);
  }
  const ringkafka::ConsumerGroupMetadata last = group_metadata(consumer);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  std::printf("relayed %ld records in transactions (group %s, generation %d, member %s)\n",
              committed, argv[4], last.generation_id,
              last.member_id.empty() ? "none" : last.member_id.c_str());
  return committed >= count ? 0 : 1;
}
