#include "fault_proxy.h"

#include "../broker/loopback.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <vector>

namespace ringkafka::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::int16_t kProduce = 0;

std::int32_t load_i32(const std::byte* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return static_cast<std::int32_t>(ntohl(v));
}

std::int16_t load_i16(const std::byte* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return static_cast<std::int16_t>(ntohs(v));
}

// Rewrites, in place, every "127.0.0.1" followed by the broker's port as an
// int32 to the proxy's port.  The pattern is the broker's address in a
// Metadata answer or a Produce answer's node endpoints; nothing else in a
// response carries those nine bytes followed by the port.
void rewrite_port(std::vector<std::byte>& frame, std::uint16_t from, std::uint16_t to) {
  static constexpr char kHost[] = "127.0.0.1";
  constexpr std::size_t kHostLen = sizeof kHost - 1;
  const std::uint32_t want = htonl(from);
  const std::uint32_t put = htonl(to);
  for (std::size_t i = 0; i + kHostLen + 4 <= frame.size(); ++i) {
    if (std::memcmp(frame.data() + i, kHost, kHostLen) != 0) continue;
    if (std::memcmp(frame.data() + i + kHostLen, &want, 4) != 0) continue;
    std::memcpy(frame.data() + i + kHostLen, &put, 4);
  }
}

bool send_all(int fd, const std::byte* p, std::size_t n) {
  while (n > 0) {
    const auto sent = ::send(fd, p, n, MSG_NOSIGNAL);
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd pfd{fd, POLLOUT, 0};
      (void)::poll(&pfd, 1, 100);
      continue;
    }
    if (sent <= 0) return false;
    p += sent;
    n -= static_cast<std::size_t>(sent);
  }
  return true;
}

// Appends what one recv() on `fd` returns to `into`; false when the peer
// closed or the socket failed.
bool receive_into(int fd, std::vector<std::byte>& into) {
  std::byte buf[65536];
  const auto n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return false;
  into.insert(into.end(), buf, buf + n);
  return true;
}

}  // namespace

// One client connection and its connection to the broker.
struct FaultProxy::Pair {
  int client = -1;
  int broker = -1;
  std::vector<std::byte> from_client;
  std::vector<std::byte> from_broker;
  std::map<std::int32_t, std::int16_t> api_of;  // correlation id -> api key of requests in flight
  std::map<std::int32_t, bool> dropping;        // Produce requests whose answer is thrown away
  struct Held {
    Clock::time_point due;
    std::vector<std::byte> frame;
  };
  std::deque<Held> held;  // answers on their way to the client, in order
  bool dead = false;

  ~Pair() {
    if (client >= 0) ::close(client);
    if (broker >= 0) ::close(broker);
  }
};

FaultProxy::FaultProxy(const std::string& broker) {
  broker_port_ = static_cast<std::uint16_t>(std::stoi(broker.substr(broker.rfind(':') + 1)));
  const test_broker::Listener l = test_broker::listen_on_loopback(64, false);
  listen_fd_ = l.fd;
  if (!l.error.empty() || ::pipe2(wake_fds_, O_CLOEXEC | O_NONBLOCK) != 0) return;
  port_ = l.port;
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

FaultProxy::~FaultProxy() {
  running_ = false;
  if (wake_fds_[1] >= 0) (void)::write(wake_fds_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  for (int fd : wake_fds_) {
    if (fd >= 0) ::close(fd);
  }
}

std::string FaultProxy::address() const {
  return port_ == 0 ? "" : "127.0.0.1:" + std::to_string(port_);
}

void FaultProxy::cut_produce_requests(int count) {
  std::lock_guard lock(mu_);
  cut_ += count;
}

void FaultProxy::drop_produce_responses(int count) {
  std::lock_guard lock(mu_);
  drop_ += count;
}

void FaultProxy::delay_produce_responses(std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  delay_ = delay;
}

FaultProxy::Counters FaultProxy::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

void FaultProxy::run() {
  std::vector<std::unique_ptr<Pair>> pairs;
  std::vector<pollfd> fds;
  while (running_) {
    const auto now = Clock::now();
    int timeout_ms = 50;
    for (const auto& p : pairs) {
      if (!p->held.empty()) {
        const auto wait =
            std::chrono::duration_cast<std::chrono::milliseconds>(p->held.front().due - now).count();
        timeout_ms = std::clamp(static_cast<int>(wait), 0, timeout_ms);
      }
    }
    fds.clear();
    fds.push_back({wake_fds_[0], POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    for (const auto& p : pairs) {
      fds.push_back({p->client, POLLIN, 0});
      fds.push_back({p->broker, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) break;
    if (!running_) break;

    const std::size_t polled = pairs.size();
    if ((fds[1].revents & POLLIN) != 0) {
      const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        auto p = std::make_unique<Pair>();
        p->client = client;
        p->broker = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(broker_port_);
        const int one = 1;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(p->broker, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(p->broker, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
          std::lock_guard lock(mu_);
          ++counters_.connections;
          pairs.push_back(std::move(p));
        }
      }
    }

    for (std::size_t i = 0; i < polled; ++i) {
      Pair& p = *pairs[i];
      // Client -> broker: whole request frames, one at a time.
      if ((fds[2 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        if (!receive_into(p.client, p.from_client)) {
          p.dead = true;
          continue;
        }
        while (!p.dead && p.from_client.size() >= 12) {
          const auto size = load_i32(p.from_client.data());
          const auto total = static_cast<std::size_t>(size) + 4;
          if (size < 8 || p.from_client.size() < total) break;
          const std::int16_t api = load_i16(p.from_client.data() + 4);
          const std::int32_t correlation = load_i32(p.from_client.data() + 8);
          bool cut = false;
          bool drop = false;
          if (api == kProduce) {
            std::lock_guard lock(mu_);
            ++counters_.produce_requests;
            if (cut_ > 0) {
              --cut_;
              ++counters_.cut;
              cut = true;
            } else if (drop_ > 0) {
              --drop_;
              ++counters_.dropped;
              drop = true;
            }
          }
          if (cut) {
            // Half the request reaches the broker, then both sides go.
            (void)send_all(p.broker, p.from_client.data(), total / 2);
            p.dead = true;
            break;
          }
          p.api_of[correlation] = api;
          if (drop) p.dropping[correlation] = true;
          if (!send_all(p.broker, p.from_client.data(), total)) p.dead = true;
          p.from_client.erase(p.from_client.begin(),
                              p.from_client.begin() + static_cast<std::ptrdiff_t>(total));
        }
      }
      if (p.dead) continue;
      // Broker -> client: whole response frames, rewritten, dropped or held.
      if ((fds[3 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        if (!receive_into(p.broker, p.from_broker)) {
          p.dead = true;
          continue;
        }
        while (p.from_broker.size() >= 8) {
          const auto size = load_i32(p.from_broker.data());
          const auto total = static_cast<std::size_t>(size) + 4;
          if (size < 4 || p.from_broker.size() < total) break;
          const std::int32_t correlation = load_i32(p.from_broker.data() + 4);
          std::vector<std::byte> frame(p.from_broker.begin(),
                                       p.from_broker.begin() + static_cast<std::ptrdiff_t>(total));
          p.from_broker.erase(p.from_broker.begin(),
                              p.from_broker.begin() + static_cast<std::ptrdiff_t>(total));
          const auto api = p.api_of.find(correlation);
          const bool produce = api != p.api_of.end() && api->second == kProduce;
          if (api != p.api_of.end()) p.api_of.erase(api);
          if (p.dropping.erase(correlation) != 0) continue;  // written by the broker, never answered
          rewrite_port(frame, broker_port_, port_);
          auto due = Clock::now();
          if (produce) {
            std::lock_guard lock(mu_);
            if (delay_.count() > 0) {
              due += delay_;
              ++counters_.delayed;
            }
          }
          // Answers keep their order: one held back holds back those behind it.
          if (!p.held.empty()) due = std::max(due, p.held.back().due);
          p.held.push_back({due, std::move(frame)});
        }
      }
    }
    // Send what is due.
    const auto now2 = Clock::now();
    for (auto& p : pairs) {
      while (!p->dead && !p->held.empty() && p->held.front().due <= now2) {
        if (!send_all(p->client, p->held.front().frame.data(), p->held.front().frame.size())) {
          p->dead = true;
        }
        p->held.pop_front();
      }
    }
    std::erase_if(pairs, [](const auto& p) { return p->dead; });
  }
}

}  // namespace ringkafka::testing
