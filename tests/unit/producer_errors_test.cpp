// What a producer says when it cannot reach its brokers: the error
// callback names the cause and the broker within seconds, and the records
// that time out say why.  No broker is needed: nothing listens on port 1,
// .invalid never resolves, and a listener whose backlog is full never
// answers a SYN.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../broker/test_broker.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
using namespace std::chrono_literals;

namespace {

struct Said {
  rk::Errc code;
  std::string text;
};

// The error callback runs on the sender thread.
class Errors {
 public:
  static void on_error(rk::Errc code, std::string_view reason, void* context) noexcept {
    auto* self = static_cast<Errors*>(context);
    const std::lock_guard lock(self->mutex_);
    self->said_.push_back({code, std::string(reason)});
    self->changed_.notify_all();
  }
  // The first error of `code`, waiting up to `patience` for it.
  std::string wait_for(rk::Errc code, std::chrono::seconds patience) {
    std::unique_lock lock(mutex_);
    std::string found;
    changed_.wait_for(lock, patience, [&] {
      for (const Said& s : said_) {
        if (s.code == code) {
          found = s.text;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::size_t count(rk::Errc code) {
    const std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const Said& s : said_) n += s.code == code ? 1 : 0;
    return n;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Said> said_;
};

std::unique_ptr<rk::Producer> make(const std::string& servers, Errors& errors) {
  rk::Config config = rk::Config::low_latency();
  config.bootstrap_servers(servers);
  EXPECT_TRUE(config.set("request.timeout.ms", "500").ok());
  EXPECT_TRUE(config.set("delivery.timeout.ms", "1500").ok());
  config.error_callback(&Errors::on_error, &errors);
  auto p = rk::Producer::create(config);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return p.ok() ? std::move(p.value()) : nullptr;
}

// The one report of the one record produced, within `patience`.
rk::DeliveryReport report_of_one(rk::Producer& p, std::chrono::seconds patience) {
  const auto until = std::chrono::steady_clock::now() + patience;
  rk::DeliveryReport r[1];
  while (std::chrono::steady_clock::now() < until) {
    if (p.poll(r) == 1) return r[0];
    std::this_thread::sleep_for(5ms);
  }
  ADD_FAILURE() << "no report within " << patience.count() << " s";
  return {};
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST(ProducerErrors, ARefusedConnectionIsNamedAndRecordsTimeOutWithIt) {
  Errors errors;
  auto p = make("127.0.0.1:1", errors);  // nothing listens on port 1
  ASSERT_TRUE(p);
  const rk::Topic t = p->topic("orders").value();
  ASSERT_EQ(p->produce(t, "k", "v"), rk::Errc::kOk);

  EXPECT_EQ(errors.wait_for(rk::Errc::kTransport, 5s),
            "cannot connect to 127.0.0.1:1: Connection refused");
  EXPECT_EQ(errors.wait_for(rk::Errc::kAllBrokersDown, 5s),
            "1/1 brokers are down (last: cannot connect to 127.0.0.1:1: Connection refused)");

  const rk::DeliveryReport r = report_of_one(*p, 10s);
  EXPECT_EQ(r.error, rk::Errc::kMessageTimedOut);
  EXPECT_STREQ(r.message, "not delivered within delivery.timeout.ms: cannot connect to 127.0.0.1:1: "
               "Connection refused");

  // Said once, not at every reconnect (reconnect.backoff.max.ms is 1 s).
  EXPECT_EQ(errors.count(rk::Errc::kTransport), 1U);
  EXPECT_EQ(errors.count(rk::Errc::kAllBrokersDown), 1U);
}

TEST(ProducerErrors, AHostThatDoesNotResolveIsNamed) {
  Errors errors;
  auto p = make("nosuchhost.invalid:9092", errors);
  ASSERT_TRUE(p);
  const std::string said = errors.wait_for(rk::Errc::kResolve, 10s);
  // The resolver's reason follows: "host not found", or a DNS failure
  // where the machine has no name server.
  EXPECT_TRUE(contains(said, "cannot resolve nosuchhost.invalid:9092: ")) << said;
  EXPECT_TRUE(contains(errors.wait_for(rk::Errc::kAllBrokersDown, 5s), "1/1 brokers are down"));
}

TEST(ProducerErrors, AConnectWithoutAnswerIsToldBeforeItsTimeout) {
  // A listener with a full accept queue: the kernel drops further SYNs,
  // so a connect neither succeeds nor fails, as behind a firewall that
  // drops packets.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  socklen_t len = sizeof at;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&at), &len), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 2; ++i) {  // backlog 0 still queues one
    const int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(f, 0);
    (void)::connect(f, reinterpret_cast<sockaddr*>(&at), sizeof at);
    fillers.push_back(f);
  }
  std::this_thread::sleep_for(100ms);
  const std::string servers = "127.0.0.1:" + std::to_string(ntohs(at.sin_port));

  Errors errors;
  auto p = make(servers, errors);
  ASSERT_TRUE(p);
  const std::string said = errors.wait_for(rk::Errc::kTransport, 8s);
  EXPECT_EQ(said, "cannot connect to " + servers +
                      ": no answer for 3 s (still trying until "
                      "socket.connection.setup.timeout.ms=10000)");
  p.reset();
  for (const int f : fillers) ::close(f);
  ::close(listener);
}

// With another broker up, a partition whose leader is down times out
// with that broker's failure, not the bare timeout.
TEST(ProducerErrors, RecordsForADownLeaderSayWhyWhileOthersAreUp) {
  namespace tb = ringkafka::test_broker;
  tb::TestBroker broker{tb::Config{2, {{"orders", 2}}, true, 100 << 20}};
  ASSERT_EQ(broker.start(), "");
  broker.move_leader("orders", 0, 1);
  broker.move_leader("orders", 1, 2);
  Errors errors;
  rk::Config config = rk::Config::low_latency();
  config.bootstrap_servers(broker.bootstrap());
  ASSERT_TRUE(config.set("request.timeout.ms", "500").ok());
  ASSERT_TRUE(config.set("delivery.timeout.ms", "2000").ok());
  config.error_callback(&Errors::on_error, &errors);
  auto made = rk::Producer::create(config);
  ASSERT_TRUE(made.ok()) << made.error().message;
  rk::Producer& p = *made.value();
  const rk::Topic t = p.topic("orders").value();
  ASSERT_EQ(p.produce(t, "k", "v", {.partition = 1}), rk::Errc::kOk);
  ASSERT_EQ(p.flush(std::chrono::seconds(10)), rk::Errc::kOk);
  (void)report_of_one(p, 1s);

  broker.set_down(2, true);
  ASSERT_EQ(p.produce(t, "k", "v", {.partition = 1}), rk::Errc::kOk);
  const rk::DeliveryReport r = report_of_one(p, 10s);
  EXPECT_EQ(r.error, rk::Errc::kMessageTimedOut);
  const std::string message = r.message;
  EXPECT_TRUE(contains(message, "not delivered within delivery.timeout.ms: ")) << message;
  EXPECT_TRUE(contains(message, "(node 2)")) << message;
  broker.set_down(2, false);
}
