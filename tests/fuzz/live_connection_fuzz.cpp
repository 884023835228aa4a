// libFuzzer target: arbitrary bytes as a broker's answer to a live producer.
// One producer for the whole run, bootstrapped to a fake broker in this
// process.  For each input the fake broker takes the producer's next
// connection, reads one request, answers with the input and hangs up; the
// producer must survive whatever it read (a bad frame size, a wrong
// correlation id, a garbled ApiVersions or Metadata body, part of a frame)
// and connect again.  AddressSanitizer and UBSan watch its reads.
//
// Input: the first byte picks the form of the answer.
//   even: the rest is sent as it is (frame size and header included);
//   odd:  the rest is a response body, sent behind a correct frame size and
//         the request's own correlation id (plus the empty tagged fields of
//         a flexible response header when the second bit is set), so that
//         the decoders behind the header are reached too.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../broker/loopback.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;

namespace {

class FakeBroker {
 public:
  FakeBroker() {
    const auto l = ringkafka::test_broker::listen_on_loopback(16, false);
    if (!l.error.empty()) std::abort();
    listen_fd_ = l.fd;
    port_ = l.port;
    std::thread([this] { serve(); }).detach();
  }

  [[nodiscard]] std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }

  // Serves `answer` to the next connection; waits (bounded) until it did.
  void answer_next(std::vector<std::byte> answer) {
    std::unique_lock lock(mu_);
    answer_ = std::move(answer);
    const std::uint64_t want = served_ + 1;
    pending_ = true;
    cv_.wait_for(lock, std::chrono::seconds(2), [&] { return served_ >= want; });
    pending_ = false;
  }

 private:
  void serve() {
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::vector<std::byte> answer;
      bool have = false;
      {
        std::lock_guard lock(mu_);
        if (pending_) {
          answer = answer_;
          have = true;
        }
      }
      if (have) {
        std::int32_t correlation = 0;
        if (read_request(fd, correlation)) send_answer(fd, answer, correlation);
        std::lock_guard lock(mu_);
        ++served_;
        cv_.notify_all();
      }
      ::close(fd);  // with no input waiting, the producer just reconnects
    }
  }

  // Reads one whole request frame; false if the producer hung up first.
  static bool read_request(int fd, std::int32_t& correlation) {
    std::byte head[12];
    if (!read_exact(fd, head, sizeof head)) return false;
    std::uint32_t size = 0;
    std::memcpy(&size, head, 4);
    size = ntohl(size);
    std::uint32_t corr = 0;
    std::memcpy(&corr, head + 8, 4);
    correlation = static_cast<std::int32_t>(ntohl(corr));
    if (size < 8 || size > (64U << 20)) return false;
    std::vector<std::byte> rest(size - 8);
    return read_exact(fd, rest.data(), rest.size());
  }

  static bool read_exact(int fd, std::byte* p, std::size_t n) {
    while (n > 0) {
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, 1000) <= 0) return false;
      const auto got = ::recv(fd, p, n, 0);
      if (got <= 0) return false;
      p += got;
      n -= static_cast<std::size_t>(got);
    }
    return true;
  }

  static void send_answer(int fd, const std::vector<std::byte>& input, std::int32_t correlation) {
    if (input.empty()) return;
    const auto form = static_cast<unsigned>(input[0]);
    std::vector<std::byte> out;
    if ((form & 1U) == 0) {
      out.assign(input.begin() + 1, input.end());
    } else {
      const bool flexible_header = (form & 2U) != 0;
      const std::size_t body = input.size() - 1;
      const auto size = htonl(static_cast<std::uint32_t>(4 + (flexible_header ? 1 : 0) + body));
      const auto corr = htonl(static_cast<std::uint32_t>(correlation));
      out.resize(8);
      std::memcpy(out.data(), &size, 4);
      std::memcpy(out.data() + 4, &corr, 4);
      if (flexible_header) out.push_back(std::byte{0});
      out.insert(out.end(), input.begin() + 1, input.end());
    }
    std::size_t off = 0;
    while (off < out.size()) {
      const auto n = ::send(fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<std::size_t>(n);
    }
  }

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::byte> answer_;
  bool pending_ = false;
  std::uint64_t served_ = 0;
};

struct Live {
  FakeBroker broker;
  std::unique_ptr<rk::Producer> producer;
  rk::Topic topic;

  Live() {
    rk::Config c = rk::Config::low_latency();
    c.bootstrap_servers(broker.bootstrap());
    for (const auto& [k, v] : {std::pair{"reconnect.backoff.ms", "1"},
                               std::pair{"reconnect.backoff.max.ms", "2"},
                               std::pair{"request.timeout.ms", "1000"},
                               std::pair{"delivery.timeout.ms", "1000"},
                               std::pair{"metadata.max.age.ms", "1000"},
                               std::pair{"socket.connection.setup.timeout.ms", "1000"}}) {
      if (!c.set(k, v).ok()) std::abort();
    }
    auto p = rk::Producer::create(c);
    if (!p.ok()) std::abort();
    producer = std::move(p.value());
    topic = producer->topic("fuzz").value();
  }
};

Live& live() {
  static auto* l = new Live;  // never destroyed: the sender runs until exit
  return *l;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Live& l = live();
  // A record waiting, so that a Metadata answer that parses leads on to
  // Produce; its report (a timeout, mostly) is taken here.
  (void)l.producer->produce(l.topic, rk::Bytes::null(), "fuzz");
  rk::DeliveryReport reports[64];
  (void)l.producer->poll(reports);
  const auto* p = reinterpret_cast<const std::byte*>(data);
  l.broker.answer_next(std::vector<std::byte>(p, p + size));
  return 0;
}
