#include "test_broker.h"

#include "broker_state.h"
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

#include "wire/byte_order.h"

namespace ringkafka::test_broker {

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

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

void TestBroker::fail_add_partitions(std::int16_t error_code, int count) {
  std::lock_guard lock(mu_);
  state_->txn.add_error = error_code;
  state_->txn.add_error_count = count;
}

std::vector<std::pair<std::string, std::int32_t>> TestBroker::partitions_added() const {
  std::lock_guard lock(mu_);
  return state_->txn.added;
}

int TestBroker::epoch_bumps() const {
  std::lock_guard lock(mu_);
  return state_->txn.bumps;
}

void TestBroker::set_transaction_completion(std::chrono::milliseconds d) {
  std::lock_guard lock(mu_);
  state_->txn.completion = d;
}

int TestBroker::early_transactional_batches() const {
  std::lock_guard lock(mu_);
  return state_->txn.early_batches;
}

int TestBroker::describe_transactions_requests() const {
  std::lock_guard lock(mu_);
  return state_->txn.describes;
}

void TestBroker::set_group_coordinator(int node) {
  std::lock_guard lock(mu_);
  state_->txn.group_node = node;
}

void TestBroker::fail_txn_offset_commit(std::int16_t error_code, int count) {
  std::lock_guard lock(mu_);
  state_->txn.offsets_error = error_code;
  state_->txn.offsets_error_count = count;
}

std::map<std::pair<std::string, std::int32_t>, std::int64_t> TestBroker::committed_offsets(
    const std::string& group) const {
  std::lock_guard lock(mu_);
  const auto it = state_->txn.committed.find(group);
  if (it == state_->txn.committed.end()) return {};
  return it->second;
}

std::vector<std::tuple<std::string, std::int32_t, std::string>> TestBroker::offset_commits() const {
  std::lock_guard lock(mu_);
  return state_->txn.offset_commits;
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
          std::lock_guard lock(mu_);
          auto& st = *state_;
          ++st.counters.requests;
          Handled handled = handle(st, c.node, h, body);
          if (handled.close) {
            dead[i] = true;
            break;
          }
          const bool answer = handled.answer;
          std::vector<std::byte>& response = handled.response;
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
