// A scriptable Kafka-protocol server for tests and for measuring the client
// alone: a fake cluster of one or more "brokers" (listening ports on
// 127.0.0.1) that answers ApiVersions, Metadata, Produce, InitProducerId and
// the transaction coordinator's requests for a fixed set of topics.  It checks every RecordBatch it receives (CRC,
// lengths, record count, producer sequence numbers), records what it got,
// and can be told to misbehave: error codes for the next N produce requests
// to a partition, slow responses, connections cut after N bytes, dropped
// responses, partition leaders that move.
//
// It is a test tool.  Claims about Kafka compatibility are shown against
// real Apache Kafka (tools/kafka-local), never against this.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "wire/record_batch_reader.h"

namespace ringkafka::test_broker {

struct RequestHeaderIn;

struct TopicSpec {
  std::string name;
  std::int32_t partitions = 1;
};

struct Config {
  int brokers = 1;
  std::vector<TopicSpec> topics;
  // Keep each accepted batch's bytes for inspection; off when used as a sink.
  bool keep_batches = true;
  std::int32_t max_frame_size = 100 << 20;
  // Batches remembered per producer and partition to recognise a retry,
  // as Kafka's 5; fewer lets a test retry past the window.
  std::size_t idempotence_window = 5;
  // SO_RCVBUF of the brokers' sockets (0: the system's), so that a client's
  // send stalls soon when reading is paused.
  int receive_buffer = 0;
  // The finalized transaction.version ApiVersions tells (0: none), as a
  // Kafka 4.x cluster formatted so would.
  std::int16_t transaction_version = 2;
  // DescribeTransactions is offered (Kafka 3.0 and later offer it).
  bool describe_transactions = true;
};

struct StoredBatch {
  std::int64_t base_offset = 0;
  wire::RecordBatchHeader header;
  std::vector<std::byte> bytes;  // empty unless keep_batches
};

struct Counters {
  std::uint64_t requests = 0;
  std::uint64_t produce_requests = 0;
  std::uint64_t batches = 0;
  std::uint64_t records = 0;
  std::uint64_t rejected_batches = 0;
  std::uint64_t connections = 0;
};

class TestBroker {
 public:
  explicit TestBroker(Config config);
  ~TestBroker();
  TestBroker(const TestBroker&) = delete;
  TestBroker& operator=(const TestBroker&) = delete;

  // Binds one port per broker and starts the event loop thread.  Returns an
  // error text, empty on success.
  std::string start();
  void stop();

  // "127.0.0.1:PORT,..." in node order (node ids are 1..brokers).
  [[nodiscard]] std::string bootstrap() const;
  [[nodiscard]] std::uint16_t port(int node) const;

  // --- scripting; each call is thread-safe and takes effect at once --------
  // The next `count` produce requests for the partition get `error_code`.
  // The batch is not stored, unless `store` (then it is checked and stored
  // as usual and only the answer is the error: DUPLICATE_SEQUENCE_NUMBER
  // for a batch the broker has, or an error the client cannot trust).
  void fail_produce(const std::string& topic, std::int32_t partition, std::int16_t error_code,
                    int count, bool store = false);
  // What the scripted failures above carry besides their code (Produce
  // v8+): the partition's error_message and per-record errors (KIP-467:
  // the record's index in its batch, and a message).
  void fail_produce_text(const std::string& topic, std::int32_t partition, std::string message,
                         std::vector<std::pair<std::int32_t, std::string>> record_errors = {});
  // While down, `node` closes its connections and every new one at once,
  // as a broker that died would (its port stays bound, so it comes back
  // at the same address).
  void set_down(int node, bool down);
  // Produce answers from `node` carry throttle_time_ms (KIP-219: sent at
  // once, the client is to hold back); 0 to stop.
  void throttle(int node, std::int32_t throttle_ms);
  // Every response from `node` is sent `delay` late (zero to stop).
  void delay_responses(int node, std::chrono::milliseconds delay);
  // The next connection to `node` that reads `bytes` more bytes is closed
  // right there, mid-request if that is where the count ends.
  void close_after_bytes(int node, std::size_t bytes);
  // The same for the connections to `node` that are open now: each is
  // closed once it has read `bytes` more bytes.
  void cut_open_connections_after(int node, std::size_t bytes);
  // The next `count` produce requests to `node` are processed (and stored)
  // but never answered, as if the response were lost; the `after` requests
  // before them are answered as usual.
  void drop_responses(int node, int count, int after = 0);
  // The next response `node` would send is replaced by these bytes, sent as
  // they are (a bad frame size, a TLS alert, an HTTP reply...).
  void reply_raw(int node, std::vector<std::byte> bytes);
  // The same for the next answer to a request of `api_key` only.
  void reply_raw_to(int node, std::int16_t api_key, std::vector<std::byte> bytes);
  // The next answer `node` gives to a request of `api_key` keeps only its
  // correlation id and the `keep` bytes after it (the frame size rewritten
  // to match): a header that reads, then a body cut short.
  void truncate_answer(int node, std::int16_t api_key, std::size_t keep);
  // While paused, `node` reads nothing from its connections (requests pile
  // up in the socket buffers and the client's sends stall).
  void pause_reading(int node, bool paused);
  // The next `count` InitProducerId requests get `error_code`.
  void fail_init_producer_id(std::int16_t error_code, int count);
  // Transactions (txn_coordinator.h): `node` coordinates every
  // transactional id (InitProducerId elsewhere gets NOT_COORDINATOR); the
  // next `count` FindCoordinator keys get `error_code`; the transactional
  // ids initialised so far, in order, and the transaction.timeout.ms each
  // came with.
  void set_coordinator(int node);
  void fail_find_coordinator(std::int16_t error_code, int count);
  [[nodiscard]] std::vector<std::string> transactional_inits() const;
  [[nodiscard]] std::vector<std::int32_t> transaction_timeouts() const;
  // The next `count` EndTxn requests get `error_code`; (id, committed) of
  // every EndTxn taken so far.
  void fail_end_txn(std::int16_t error_code, int count);
  [[nodiscard]] std::vector<std::pair<std::string, bool>> transaction_ends() const;
  // Transaction version 1: the next `count` AddPartitionsToTxn answers give
  // `error_code` for every partition; the partitions added so far, in
  // order; how many InitProducerId calls bumped their own epoch (KIP-360).
  void fail_add_partitions(std::int16_t error_code, int count);
  [[nodiscard]] std::vector<std::pair<std::string, std::int32_t>> partitions_added() const;
  [[nodiscard]] int epoch_bumps() const;
  // An ended transaction stays completing (its markers being written) for
  // `d` after EndTxn (txn_coordinator.h); the transactional batches that
  // arrived meanwhile (on Kafka they would wait at the broker), and the
  // DescribeTransactions requests served.
  void set_transaction_completion(std::chrono::milliseconds d);
  [[nodiscard]] int early_transactional_batches() const;
  [[nodiscard]] int describe_transactions_requests() const;
  // Consumed offsets: `node` coordinates every consumer group; the next
  // `count` TxnOffsetCommit answers give `error_code`; the offsets
  // committed for `group` (by transactions that committed), and the
  // (group, generation, member id) of every TxnOffsetCommit taken.
  void set_group_coordinator(int node);
  void fail_txn_offset_commit(std::int16_t error_code, int count);
  [[nodiscard]] std::map<std::pair<std::string, std::int32_t>, std::int64_t> committed_offsets(
      const std::string& group) const;
  [[nodiscard]] std::vector<std::tuple<std::string, std::int32_t, std::string>> offset_commits()
      const;
  // While hidden, the topic is missing from Metadata answers and Produce
  // requests for it get UNKNOWN_TOPIC_OR_PARTITION, as while a topic is
  // being deleted and made again; its log and producer state stay.
  void hide_topic(const std::string& topic, bool hidden);
  // Makes `node` the partition's leader and bumps its leader epoch.
  void move_leader(const std::string& topic, std::int32_t partition, int node);
  // From now on Metadata (and leader hints) give `node` at a second port,
  // bound at start(), as a broker that moved to a new address would be
  // advertised.  The old port still serves the node: only the client's
  // reaction to the move is under test.
  void move_node(int node);

  // --- inspection ----------------------------------------------------------
  [[nodiscard]] std::vector<StoredBatch> batches(const std::string& topic,
                                                 std::int32_t partition) const;
  [[nodiscard]] std::int64_t high_watermark(const std::string& topic,
                                            std::int32_t partition) const;
  [[nodiscard]] Counters counters() const;
  // Every batch the broker refused, with why ("orders-0: CRC32C mismatch").
  [[nodiscard]] std::vector<std::string> validation_errors() const;

 private:
  struct State;
  struct Connection;
  struct Handled;
  void run();
  static Handled closed();
  // One request, with the lock held (dispatch.cpp).
  Handled handle(State& st, int node, const RequestHeaderIn& h, std::span<const std::byte> body);
  Handled metadata(State& st, const RequestHeaderIn& h, std::span<const std::byte> body);
  Handled produce(State& st, int node, const RequestHeaderIn& h, std::span<const std::byte> body);
  Handled init_producer_id(State& st, int node, const RequestHeaderIn& h,
                           std::span<const std::byte> body);
  std::int16_t check_transactional(State& st, const RequestHeaderIn& h, const std::string& id,
                                   const std::string& topic, std::int32_t partition);

  Config config_;
  std::unique_ptr<State> state_;
  mutable std::mutex mu_;
  std::vector<int> listen_fds_;
  std::vector<std::uint16_t> ports_;        // each node's first port
  std::vector<std::uint16_t> spare_ports_;  // the port move_node() advertises
  std::atomic<std::uint32_t> moved_{0};     // bit n-1: node n moved
  [[nodiscard]] std::uint16_t advertised_port(int node) const;
  int wake_fds_[2] = {-1, -1};
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace ringkafka::test_broker
