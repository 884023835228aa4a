#include "test_broker.h"

#include "loopback.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <set>

#include "compress/codec.h"
#include "server_codec.h"
#include "txn_coordinator.h"
#include "wire/byte_order.h"
#include "wire/error_code.h"

namespace ringkafka::test_broker {

namespace {

using Clock = std::chrono::steady_clock;

// The protocol's error codes, as the int16 the responses carry.
using wire::code;
constexpr std::int16_t kNone = code(wire::ErrorCode::kNone);
constexpr std::int16_t kCorruptMessage = code(wire::ErrorCode::kCorruptMessage);
constexpr std::int16_t kUnknownTopicOrPartition = code(wire::ErrorCode::kUnknownTopicOrPartition);
constexpr std::int16_t kNotLeaderOrFollower = code(wire::ErrorCode::kNotLeaderOrFollower);
constexpr std::int16_t kUnsupportedVersion = code(wire::ErrorCode::kUnsupportedVersion);
constexpr std::int16_t kOutOfOrderSequence = code(wire::ErrorCode::kOutOfOrderSequenceNumber);
constexpr std::int16_t kInvalidProducerEpoch = code(wire::ErrorCode::kInvalidProducerEpoch);

// What a broker remembers per producer and partition for idempotence: the
// last five batches, as Kafka does, to answer a retried one with its offset.
struct ProducerState {
  std::int16_t epoch = -1;
  std::int32_t next_sequence = 0;
  struct Entry {
    std::int32_t base_sequence;
    std::int32_t count;
    std::int64_t base_offset;
  };
  std::deque<Entry> recent;
};

struct Partition {
  int leader = 1;
  std::int32_t leader_epoch = 0;
  std::int64_t high_watermark = 0;
  std::vector<StoredBatch> batches;
  std::map<std::int64_t, ProducerState> producers;
  std::int16_t scripted_error = kNone;
  int scripted_count = 0;
  bool scripted_store = false;
  std::string scripted_message;
  std::vector<std::pair<std::int32_t, std::string>> scripted_record_errors;
};

}  // namespace

struct TestBroker::State {
  std::map<std::string, std::vector<Partition>> topics;
  std::vector<std::chrono::milliseconds> delay;  // per node
  std::vector<std::int32_t> throttle_ms;         // per node: throttle_time_ms in Produce answers
  std::vector<std::size_t> close_after;          // per node, 0 = off
  std::vector<int> drop;                         // per node
  std::vector<int> drop_after;                   // per node: answered first, then `drop` dropped
  std::vector<bool> down;                        // per node
  std::vector<std::size_t> cut_open;             // per node, 0 = off
  std::vector<std::vector<std::byte>> raw_reply;  // per node, empty = off
  std::vector<std::int16_t> raw_reply_key;        // per node: -1, any request
  // per node: the API key whose next answer is cut (-1 = off) and how much
  // of it after the correlation id stays
  std::vector<std::pair<std::int16_t, std::size_t>> truncate;
  std::set<std::string> hidden;                  // topics answered as unknown
  std::vector<bool> paused;                      // per node: not reading
  std::int16_t pid_error = 0;                    // InitProducerId's scripted answer
  int pid_error_count = 0;
  std::int64_t next_producer_id = 1000;
  TxnCoordinator txn;
  // Compressed batches are decompressed to check their records too.
  std::unique_ptr<compress::Decompressor> decompressor = compress::Decompressor::create();
  std::vector<std::byte> scratch;
  Counters counters;
  std::vector<std::string> errors;
};

struct TestBroker::Connection {
  int fd = -1;
  int node = 1;
  std::vector<std::byte> in;
  std::size_t read_allowance = 0;  // 0 = unlimited
  struct Pending {
    Clock::time_point due;
    std::vector<std::byte> frame;
  };
  std::deque<Pending> out;
  std::size_t out_offset = 0;
};

TestBroker::TestBroker(Config config) : config_(std::move(config)), state_(std::make_unique<State>()) {
  const auto n = static_cast<std::size_t>(config_.brokers);
  state_->delay.assign(n + 1, std::chrono::milliseconds{0});
  state_->throttle_ms.assign(n + 1, 0);
  state_->close_after.assign(n + 1, 0);
  state_->drop.assign(n + 1, 0);
  state_->drop_after.assign(n + 1, 0);
  state_->down.assign(n + 1, false);
  state_->cut_open.assign(n + 1, 0);
  state_->raw_reply.assign(n + 1, {});
  state_->raw_reply_key.assign(n + 1, -1);
  state_->truncate.assign(n + 1, {-1, 0});
  state_->paused.assign(n + 1, false);
  for (const auto& t : config_.topics) {
    auto& parts = state_->topics[t.name];
    parts.resize(static_cast<std::size_t>(t.partitions));
    for (std::size_t p = 0; p < parts.size(); ++p) {
      parts[p].leader = static_cast<int>(p % n) + 1;  // spread leaders like a real cluster
    }
  }
}

TestBroker::~TestBroker() { stop(); }

std::string TestBroker::start() {
  if (::pipe2(wake_fds_, O_NONBLOCK | O_CLOEXEC) != 0) return "pipe: " + std::string(std::strerror(errno));
  // Two listeners per node: the first port, then (for move_node) a spare.
  // Listener i serves node i % brokers + 1.
  for (int i = 0; i < 2 * config_.brokers; ++i) {
    const Listener l = listen_on_loopback(64, true);
    if (!l.error.empty()) return l.error;
    const int fd = l.fd;
    if (config_.receive_buffer > 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &config_.receive_buffer, sizeof config_.receive_buffer);
    }
    listen_fds_.push_back(fd);
    (i < config_.brokers ? ports_ : spare_ports_).push_back(l.port);
  }
  running_ = true;
  thread_ = std::thread([this] { run(); });
  return {};
}

void TestBroker::stop() {
  if (running_.exchange(false)) {
    const char b = 1;
    (void)!::write(wake_fds_[1], &b, 1);
    thread_.join();
  }
  for (int fd : listen_fds_) ::close(fd);
  listen_fds_.clear();
  for (int& fd : wake_fds_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

std::string TestBroker::bootstrap() const {
  std::string s;
  for (auto p : ports_) {
    if (!s.empty()) s += ',';
    s.append("127.0.0.1:").append(std::to_string(p));
  }
  return s;
}

std::uint16_t TestBroker::port(int node) const { return ports_.at(static_cast<std::size_t>(node - 1)); }

std::uint16_t TestBroker::advertised_port(int node) const {
  const auto i = static_cast<std::size_t>(node - 1);
  const bool moved = (moved_.load(std::memory_order_acquire) >> i & 1U) != 0;
  return moved ? spare_ports_.at(i) : ports_.at(i);
}

void TestBroker::move_node(int node) {
  moved_.fetch_or(1U << static_cast<unsigned>(node - 1), std::memory_order_acq_rel);
}

void TestBroker::fail_produce(const std::string& topic, std::int32_t partition,
                              std::int16_t error_code, int count, bool store) {
  std::lock_guard lock(mu_);
  auto& p = state_->topics.at(topic).at(static_cast<std::size_t>(partition));
  p.scripted_error = error_code;
  p.scripted_count = count;
  p.scripted_store = store;
}

void TestBroker::fail_produce_text(const std::string& topic, std::int32_t partition,
                                   std::string message,
                                   std::vector<std::pair<std::int32_t, std::string>> record_errors) {
  std::lock_guard lock(mu_);
  auto& p = state_->topics.at(topic).at(static_cast<std::size_t>(partition));
  p.scripted_message = std::move(message);
  p.scripted_record_errors = std::move(record_errors);
}

void TestBroker::cut_open_connections_after(int node, std::size_t bytes) {
  std::lock_guard lock(mu_);
  state_->cut_open.at(static_cast<std::size_t>(node)) = bytes;
}

void TestBroker::reply_raw(int node, std::vector<std::byte> bytes) {
  std::lock_guard lock(mu_);
  state_->raw_reply.at(static_cast<std::size_t>(node)) = std::move(bytes);
  state_->raw_reply_key.at(static_cast<std::size_t>(node)) = -1;
}

void TestBroker::reply_raw_to(int node, std::int16_t api_key, std::vector<std::byte> bytes) {
  std::lock_guard lock(mu_);
  state_->raw_reply.at(static_cast<std::size_t>(node)) = std::move(bytes);
  state_->raw_reply_key.at(static_cast<std::size_t>(node)) = api_key;
}

void TestBroker::truncate_answer(int node, std::int16_t api_key, std::size_t keep) {
  std::lock_guard lock(mu_);
  state_->truncate.at(static_cast<std::size_t>(node)) = {api_key, keep};
}

void TestBroker::pause_reading(int node, bool paused) {
  {
    std::lock_guard lock(mu_);
    state_->paused.at(static_cast<std::size_t>(node)) = paused;
  }
  // The loop may be in a 100 ms poll() without read interest: wake it, so
  // a pause ends when asked (the --stall comparison times on it).
  const char b = 1;
  (void)!::write(wake_fds_[1], &b, 1);
}

void TestBroker::fail_init_producer_id(std::int16_t error_code, int count) {
  std::lock_guard lock(mu_);
  state_->pid_error = error_code;
  state_->pid_error_count = count;
}

void TestBroker::set_coordinator(int node) {
  std::lock_guard lock(mu_);
  state_->txn.node = node;
}

void TestBroker::fail_find_coordinator(std::int16_t error_code, int count) {
  std::lock_guard lock(mu_);
  state_->txn.find_error = error_code;
  state_->txn.find_error_count = count;
}

std::vector<std::string> TestBroker::transactional_inits() const {
  std::lock_guard lock(mu_);
  return state_->txn.inits;
}

std::vector<std::int32_t> TestBroker::transaction_timeouts() const {
  std::lock_guard lock(mu_);
  return state_->txn.init_timeouts;
}

void TestBroker::fail_end_txn(std::int16_t error_code, int count) {
  std::lock_guard lock(mu_);
  state_->txn.end_error = error_code;
  state_->txn.end_error_count = count;
}

std::vector<std::pair<std::string, bool>> TestBroker::transaction_ends() const {
  std::lock_guard lock(mu_);
  return state_->txn.ends;
}

void TestBroker::hide_topic(const std::string& topic, bool hidden) {
  std::lock_guard lock(mu_);
  if (hidden) {
    state_->hidden.insert(topic);
  } else {
    state_->hidden.erase(topic);
  }
}

void TestBroker::set_down(int node, bool down) {
  std::lock_guard lock(mu_);
  state_->down.at(static_cast<std::size_t>(node)) = down;
}

void TestBroker::throttle(int node, std::int32_t throttle_ms) {
  std::lock_guard lock(mu_);
  state_->throttle_ms.at(static_cast<std::size_t>(node)) = throttle_ms;
}

void TestBroker::delay_responses(int node, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  state_->delay.at(static_cast<std::size_t>(node)) = delay;
}

void TestBroker::close_after_bytes(int node, std::size_t bytes) {
  std::lock_guard lock(mu_);
  state_->close_after.at(static_cast<std::size_t>(node)) = bytes;
}

void TestBroker::drop_responses(int node, int count, int after) {
  std::lock_guard lock(mu_);
  state_->drop.at(static_cast<std::size_t>(node)) = count;
  state_->drop_after.at(static_cast<std::size_t>(node)) = after;
}

void TestBroker::move_leader(const std::string& topic, std::int32_t partition, int node) {
  std::lock_guard lock(mu_);
  auto& p = state_->topics.at(topic).at(static_cast<std::size_t>(partition));
  p.leader = node;
  ++p.leader_epoch;
}

std::vector<StoredBatch> TestBroker::batches(const std::string& topic, std::int32_t partition) const {
  std::lock_guard lock(mu_);
  return state_->topics.at(topic).at(static_cast<std::size_t>(partition)).batches;
}

std::int64_t TestBroker::high_watermark(const std::string& topic, std::int32_t partition) const {
  std::lock_guard lock(mu_);
  return state_->topics.at(topic).at(static_cast<std::size_t>(partition)).high_watermark;
}

Counters TestBroker::counters() const {
  std::lock_guard lock(mu_);
  return state_->counters;
}

std::vector<std::string> TestBroker::validation_errors() const {
  std::lock_guard lock(mu_);
  return state_->errors;
}

namespace {

// Checks and stores the batches of one partition's records field; returns
// the partition's answer.  Called with the broker's lock held.
ProducePartitionOut append(Partition& part, const std::string& where,
                           std::span<const std::byte> records, bool keep, Counters& counters,
                           std::vector<std::string>& errors, compress::Decompressor& decompressor,
                           std::vector<std::byte>& scratch, std::size_t window) {
  ProducePartitionOut out;
  out.log_start_offset = 0;
  // Validate every batch before storing any: a request is all or nothing
  // per partition, as on a real broker.
  struct Checked {
    wire::RecordBatchHeader header;
    std::span<const std::byte> bytes;
  };
  std::vector<Checked> checked;
  std::size_t pos = 0;
  while (pos < records.size()) {
    wire::RecordBatchHeader h;
    std::span<const std::byte> recs;
    auto status = wire::read_record_batch(records.subspan(pos), h, recs);
    std::string why;
    if (status == wire::BatchStatus::kOk && h.compression() != wire::Compression::kNone) {
      // Room for 64 times the input plus 1 MiB: ample for real batches; a
      // stream that would need more is refused, as a bomb.
      if (scratch.size() < records.size() * 64 + (1 << 20)) scratch.resize(records.size() * 64 + (1 << 20));
      const auto r = decompressor.decompress(h.compression(), recs, scratch);
      if (r.ok()) {
        recs = std::span<const std::byte>(scratch).first(r.size);
      } else {
        status = wire::BatchStatus::kBadRecords;
        why = std::string(" (") + compress::to_string(r.status) + ")";
      }
    }
    if (status == wire::BatchStatus::kOk) {
      wire::RecordIterator it(recs, h.record_count);
      wire::RecordView r;
      std::int32_t expected_delta = 0;
      while (it.next(r)) {
        if (r.offset_delta != expected_delta++) break;
      }
      status = it.status();
      if (status == wire::BatchStatus::kOk && expected_delta != h.record_count) {
        status = wire::BatchStatus::kBadRecords;
      }
    }
    if (status == wire::BatchStatus::kOk &&
        (h.record_count <= 0 || h.last_offset_delta != h.record_count - 1)) {
      status = wire::BatchStatus::kBadRecords;
    }
    if (status != wire::BatchStatus::kOk) {
      errors.push_back(where + ": " + std::string(wire::to_string(status)) + why);
      ++counters.rejected_batches;
      out.error_code = kCorruptMessage;
      return out;
    }
    checked.push_back({h, records.subspan(pos, h.total_size())});
    pos += h.total_size();
  }
  if (checked.empty()) {
    errors.push_back(where + ": no batch in the records field");
    out.error_code = kCorruptMessage;
    return out;
  }

  std::int64_t first_offset = -1;
  for (const auto& c : checked) {
    const auto& h = c.header;
    if (h.producer_id >= 0) {
      auto& ps = part.producers[h.producer_id];
      if (h.producer_epoch < ps.epoch) {
        out.error_code = kInvalidProducerEpoch;
        return out;
      }
      if (h.producer_epoch > ps.epoch) {  // a new or bumped producer starts over
        // A producer the partition has no state for may start at any
        // sequence, as on Kafka (whose state for it may have expired); a
        // bumped epoch starts at 0.
        const bool unknown = ps.epoch < 0;
        ps = ProducerState{};
        ps.epoch = h.producer_epoch;
        if (unknown) ps.next_sequence = h.base_sequence;
      }
      const auto dup = std::find_if(ps.recent.begin(), ps.recent.end(), [&](const auto& e) {
        return e.base_sequence == h.base_sequence && e.count == h.record_count;
      });
      if (dup != ps.recent.end()) {  // a retry of a batch already stored
        if (first_offset < 0) first_offset = dup->base_offset;
        continue;
      }
      if (h.base_sequence != ps.next_sequence) {
        // Ahead of what is expected (modulo the wrap) is a gap: a batch
        // before it failed or is being retried, which pipelining makes
        // normal, and Kafka's answer is all there is to it.  Behind it, and
        // not one of the last batches, is a batch the producer sent again
        // under a sequence already used: recorded as an error.
        const auto ahead =
            static_cast<std::uint32_t>(static_cast<std::int64_t>(h.base_sequence) - ps.next_sequence) &
            0x7fffffffU;
        if (ahead >= (1U << 30)) {
          errors.push_back(where + ": sequence " + std::to_string(h.base_sequence) +
                           " is behind the expected " + std::to_string(ps.next_sequence));
        }
        out.error_code = kOutOfOrderSequence;
        return out;
      }
      ps.next_sequence = wire::sequence_after(h.base_sequence, h.record_count);
      ps.recent.push_back({h.base_sequence, h.record_count, part.high_watermark});
      if (ps.recent.size() > window) ps.recent.pop_front();
    }
    StoredBatch stored;
    stored.base_offset = part.high_watermark;
    stored.header = h;
    if (keep) stored.bytes.assign(c.bytes.begin(), c.bytes.end());
    if (first_offset < 0) first_offset = part.high_watermark;
    part.high_watermark += h.record_count;
    part.batches.push_back(std::move(stored));
    ++counters.batches;
    counters.records += static_cast<std::uint64_t>(h.record_count);
  }
  out.base_offset = first_offset;
  return out;
}

std::vector<ApiVersionOut> advertised() {
  std::vector<ApiVersionOut> out;
  for (auto key : {wire::ApiKey::kProduce, wire::ApiKey::kMetadata, wire::ApiKey::kApiVersions,
                   wire::ApiKey::kInitProducerId, wire::ApiKey::kFindCoordinator,
                   wire::ApiKey::kEndTxn}) {
    const auto r = served_versions(key);
    out.push_back({static_cast<std::int16_t>(key), r.min, r.max});
  }
  // Fetch is never served, but librdkafka writes RecordBatch v2 only to a
  // broker that also offers Fetch v4 (its "MsgVer2" feature); without this
  // it would fall back to the old message format, which we do not accept.
  out.push_back({1, 4, 4});
  return out;
}

}  // namespace

void TestBroker::run() {
  std::vector<std::unique_ptr<Connection>> conns;
  std::vector<pollfd> fds;
  while (running_) {
    // Next due response decides how long to wait.
    auto now = Clock::now();
    int timeout_ms = 100;
    for (const auto& c : conns) {
      if (!c->out.empty()) {
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(c->out.front().due - now).count();
        timeout_ms = std::clamp(static_cast<int>(wait), 0, timeout_ms);
      }
    }
    fds.clear();
    fds.push_back({wake_fds_[0], POLLIN, 0});
    for (int fd : listen_fds_) fds.push_back({fd, POLLIN, 0});
    std::vector<bool> paused;
    {
      std::lock_guard lock(mu_);
      paused = state_->paused;
    }
    for (const auto& c : conns) {
      const bool want_write = !c->out.empty() && c->out.front().due <= now;
      const bool want_read = !paused[static_cast<std::size_t>(c->node)];
      fds.push_back({c->fd, static_cast<short>((want_read ? POLLIN : 0) | (want_write ? POLLOUT : 0)), 0});
    }
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) break;
    if (!running_) break;
    if ((fds[0].revents & POLLIN) != 0) {
      char drain[64];
      while (::read(wake_fds_[0], drain, sizeof drain) > 0) {
      }
    }
    now = Clock::now();

    // Connections accepted below have no poll entry yet: they are served
    // from the next round on.
    const std::size_t polled = conns.size();
    for (std::size_t i = 0; i < listen_fds_.size(); ++i) {
      if ((fds[1 + i].revents & POLLIN) == 0) continue;
      const int fd = ::accept4(listen_fds_[i], nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) continue;
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto c = std::make_unique<Connection>();
      c->fd = fd;
      c->node = static_cast<int>(i % static_cast<std::size_t>(config_.brokers)) + 1;
      std::lock_guard lock(mu_);
      if (state_->down[static_cast<std::size_t>(c->node)]) {
        ::close(fd);
        continue;
      }
      ++state_->counters.connections;
      auto& limit = state_->close_after[static_cast<std::size_t>(c->node)];
      c->read_allowance = limit;  // this connection takes the script
      limit = 0;
      conns.push_back(std::move(c));
    }

    const std::size_t first_conn = 1 + listen_fds_.size();
    std::vector<bool> dead(conns.size(), false);
    {
      std::lock_guard lock(mu_);
      for (std::size_t i = 0; i < conns.size(); ++i) {
        const auto node = static_cast<std::size_t>(conns[i]->node);
        if (state_->down[node]) dead[i] = true;
        if (state_->cut_open[node] > 0 && i < polled) conns[i]->read_allowance = state_->cut_open[node];
      }
      for (auto& cut : state_->cut_open) cut = 0;
    }
    for (std::size_t i = 0; i < polled; ++i) {
      if (dead[i]) continue;  // its node is down
      auto& c = *conns[i];
      const short rev = fds[first_conn + i].revents;
      if ((rev & (POLLERR | POLLHUP | POLLNVAL)) != 0 && (rev & POLLIN) == 0) {
        dead[i] = true;
        continue;
      }
      if ((rev & POLLIN) != 0) {
        std::byte buf[65536];
        std::size_t want = sizeof buf;
        if (c.read_allowance > 0) want = std::min(want, c.read_allowance);
        const auto n = ::recv(c.fd, buf, want, 0);
        if (n <= 0) {
          dead[i] = true;
          continue;
        }
        c.in.insert(c.in.end(), buf, buf + n);
        if (c.read_allowance > 0) {
          c.read_allowance -= static_cast<std::size_t>(n);
          if (c.read_allowance == 0) {  // the script's cut: close mid-stream
            dead[i] = true;
            continue;
          }
        }
        // Handle every complete request in the buffer.
        while (c.in.size() >= 4) {
          const auto size = wire::load_be<std::int32_t>(c.in.data());
          if (wire::check_frame_size(size, config_.max_frame_size) != wire::DecodeStatus::kOk) {
            dead[i] = true;
            break;
          }
          const auto total = static_cast<std::size_t>(size) + 4;
          if (c.in.size() < total) break;
          std::vector<std::byte> request(c.in.begin() + 4, c.in.begin() + static_cast<std::ptrdiff_t>(total));
          c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(total));

          wire::Reader r(request);
          RequestHeaderIn h;
          if (read_request_header(r, h) != wire::DecodeStatus::kOk) {
            dead[i] = true;
            break;
          }
          const auto body = std::span<const std::byte>(request).subspan(r.position());
          std::vector<std::byte> response;
          bool answer = true;
          std::lock_guard lock(mu_);
          auto& st = *state_;
          ++st.counters.requests;
          const auto key = static_cast<wire::ApiKey>(h.api_key);
          const bool supported =
              h.api_key == 18 || ((h.api_key == 0 || h.api_key == 3 || h.api_key == 10 ||
                                   h.api_key == 22 || h.api_key == 26) &&
                                  version_served(key, h.api_version));
          if (h.api_key == 18) {
            if (!version_served(key, h.api_version)) {
              response = encode_api_versions_response(h.correlation_id, 0, kUnsupportedVersion, advertised(), 0);
            } else {
              response = encode_api_versions_response(h.correlation_id, h.api_version, kNone,
                                                      advertised(), 0, config_.transaction_version);
            }
          } else if (!supported) {
            dead[i] = true;  // an API or version this broker does not speak
            break;
          } else if (key == wire::ApiKey::kMetadata) {
            MetadataRequestIn req;
            if (decode_metadata_request(body, h.api_version, req) != wire::DecodeStatus::kOk) {
              dead[i] = true;
              break;
            }
            MetadataResponseOut md;
            for (int node = 1; node <= config_.brokers; ++node) {
              md.brokers.push_back(
                  {node, "127.0.0.1", advertised_port(node), std::nullopt});
            }
            md.cluster_id = "ringkafka-test-broker";
            md.controller_id = 1;
            auto describe = [&](const std::string& name) {
              MetadataTopicOut t;
              t.name = name;
              const auto it = st.hidden.count(name) != 0 ? st.topics.end() : st.topics.find(name);
              if (it == st.topics.end()) {
                t.error_code = kUnknownTopicOrPartition;
              } else {
                for (std::size_t p = 0; p < it->second.size(); ++p) {
                  const auto& part = it->second[p];
                  t.partitions.push_back({kNone, static_cast<std::int32_t>(p), part.leader,
                                          part.leader_epoch, {part.leader}, {part.leader}, {}});
                }
              }
              md.topics.push_back(std::move(t));
            };
            if (req.all_topics) {
              for (const auto& [name, parts] : st.topics) {
                if (st.hidden.count(name) == 0) describe(name);
              }
            } else {
              for (auto name : req.topics) describe(std::string(name));
            }
            response = encode_metadata_response(h.correlation_id, h.api_version, md);
          } else if (key == wire::ApiKey::kEndTxn) {
            EndTxnRequestIn req;
            if (decode_end_txn_request(body, h.api_version, req) != wire::DecodeStatus::kOk) {
              dead[i] = true;
              break;
            }
            response = st.txn.end(h, req, c.node);
          } else if (key == wire::ApiKey::kFindCoordinator) {
            FindCoordinatorRequestIn req;
            if (decode_find_coordinator_request(body, h.api_version, req) != wire::DecodeStatus::kOk) {
              dead[i] = true;
              break;
            }
            response = st.txn.find(h, req, [this](int node_id) { return advertised_port(node_id); });
          } else if (key == wire::ApiKey::kInitProducerId) {
            InitProducerIdRequestIn req;
            if (decode_init_producer_id_request(body, h.api_version, req) != wire::DecodeStatus::kOk) {
              dead[i] = true;
              break;
            }
            if (req.transactional_id) {
              std::int16_t error = 0;
              if (st.pid_error_count > 0) {
                --st.pid_error_count;
                error = st.pid_error;
              }
              response = st.txn.init(h, req, c.node, error, st.next_producer_id);
            } else {
              std::int64_t id = st.next_producer_id;
              std::int16_t epoch = 0;
              if (req.producer_id >= 0) {  // KIP-360: bump the epoch of a known id
                id = req.producer_id;
                epoch = static_cast<std::int16_t>(req.producer_epoch + 1);
              } else {
                ++st.next_producer_id;
              }
              std::int16_t error = kNone;
              if (st.pid_error_count > 0) {
                --st.pid_error_count;
                error = st.pid_error;
                id = -1;
                epoch = -1;
              }
              response = encode_init_producer_id_response(h.correlation_id, h.api_version, 0, error, id, epoch);
            }
          } else {  // Produce
            ProduceRequestIn req;
            if (decode_produce_request(body, h.api_version, req) != wire::DecodeStatus::kOk) {
              dead[i] = true;
              break;
            }
            ++st.counters.produce_requests;
            ProduceResponseOut pr;
            pr.throttle_time_ms = st.throttle_ms[static_cast<std::size_t>(c.node)];
            for (const auto& t : req.topics) {
              ProduceTopicOut tout;
              tout.name = std::string(t.name);
              const auto it =
                  st.hidden.count(tout.name) != 0 ? st.topics.end() : st.topics.find(tout.name);
              for (const auto& pin : t.partitions) {
                ProducePartitionOut pout;
                std::string where = tout.name;
                where.append("-").append(std::to_string(pin.partition));
                if (it == st.topics.end() || pin.partition < 0 ||
                    static_cast<std::size_t>(pin.partition) >= it->second.size()) {
                  pout.error_code = kUnknownTopicOrPartition;
                } else {
                  auto& part = it->second[static_cast<std::size_t>(pin.partition)];
                  if (part.leader != c.node) {
                    pout.error_code = kNotLeaderOrFollower;
                    pout.current_leader_id = part.leader;
                    pout.current_leader_epoch = part.leader_epoch;
                    pr.node_endpoints.push_back(
                        {part.leader, "127.0.0.1", advertised_port(part.leader), std::nullopt});
                  } else if (part.scripted_count > 0) {
                    --part.scripted_count;
                    if (part.scripted_store) {
                      pout = append(part, where, pin.records, config_.keep_batches, st.counters,
                                    st.errors, *st.decompressor, st.scratch,
                                    config_.idempotence_window);
                    }
                    pout.error_code = part.scripted_error;
                    if (!part.scripted_message.empty()) pout.error_message = part.scripted_message;
                    for (const auto& [index, text] : part.scripted_record_errors) {
                      pout.record_errors.emplace_back(index, text);
                    }
                  } else {
                    pout = append(part, where, pin.records, config_.keep_batches, st.counters, st.errors,
                                  *st.decompressor, st.scratch, config_.idempotence_window);
                  }
                }
                pout.partition = pin.partition;
                tout.partitions.push_back(std::move(pout));
              }
              pr.topics.push_back(std::move(tout));
            }
            auto& drop = st.drop[static_cast<std::size_t>(c.node)];
            auto& drop_after = st.drop_after[static_cast<std::size_t>(c.node)];
            if (req.acks == 0) {
              answer = false;
            } else if (drop > 0 && drop_after > 0) {
              --drop_after;  // answered as usual
            } else if (drop > 0) {
              --drop;
              answer = false;
            }
            if (answer) response = encode_produce_response(h.correlation_id, h.api_version, pr);
          }
          if (answer) {
            if (auto& cut = st.truncate[static_cast<std::size_t>(c.node)];
                cut.first == h.api_key && response.size() > 8) {
              const std::size_t payload = std::min(response.size() - 4, 4 + cut.second);
              response.resize(4 + payload);
              const auto cut_size = static_cast<std::uint32_t>(payload);
              for (int b = 0; b < 4; ++b) {
                response[static_cast<std::size_t>(b)] = static_cast<std::byte>(cut_size >> (24 - 8 * b));
              }
              cut = {-1, 0};
            }
            const std::int16_t raw_key = st.raw_reply_key[static_cast<std::size_t>(c.node)];
            if (auto& raw = st.raw_reply[static_cast<std::size_t>(c.node)];
                !raw.empty() && (raw_key < 0 || raw_key == h.api_key)) {
              response = std::move(raw);
              raw.clear();
            }
            c.out.push_back({now + st.delay[static_cast<std::size_t>(c.node)], std::move(response)});
          }
        }
      }
      // Write what is due, in order.
      while (!dead[i] && !c.out.empty() && c.out.front().due <= now) {
        auto& f = c.out.front().frame;
        const auto n = ::send(c.fd, f.data() + c.out_offset, f.size() - c.out_offset, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) {
          dead[i] = true;
          break;
        }
        c.out_offset += static_cast<std::size_t>(n);
        if (c.out_offset == f.size()) {
          c.out.pop_front();
          c.out_offset = 0;
        }
      }
    }
    for (std::size_t i = conns.size(); i-- > 0;) {
      if (dead[i]) {
        ::close(conns[i]->fd);
        conns.erase(conns.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  }
  for (auto& c : conns) ::close(c->fd);
}

}  // namespace ringkafka::test_broker
