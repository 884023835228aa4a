#include "io/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

namespace ringkafka::io {

// Shared with the thread, which holds it as long as it runs: the Resolver
// may go away during a lookup without waiting for it.
struct Resolver::State {
  enum class Phase : std::uint8_t { kFree, kQueued, kRunning, kDone };
  struct Entry {
    Phase phase = Phase::kFree;
    char host[256] = {};
    std::uint16_t port = 0;
    Answer answer;
  };
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::array<Entry, kMaxPending> entries;
  // Answers written so far (release): poll()'s lock-free check.
  std::atomic<std::uint64_t> answered{0};
};

namespace {

// getaddrinfo's first answer, as connect() takes it.
int resolve(const char* host, std::uint16_t port, int flags, Resolver::Answer* a) noexcept {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags;
  char service[8];
  std::snprintf(service, sizeof service, "%u", port);
  addrinfo* res = nullptr;
  const int rc = ::getaddrinfo(host, service, &hints, &res);
  if (rc != 0) return rc;
  if (res == nullptr) return EAI_NONAME;
  std::memcpy(&a->addr, res->ai_addr, res->ai_addrlen);
  a->addr_len = res->ai_addrlen;
  a->family = res->ai_family;
  ::freeaddrinfo(res);
  return 0;
}

bool numeric(std::string_view host) noexcept {
  char buf[64];
  if (host.empty() || host.size() >= sizeof buf) return false;
  std::memcpy(buf, host.data(), host.size());
  buf[host.size()] = '\0';
  unsigned char addr[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, buf, addr) == 1 || ::inet_pton(AF_INET6, buf, addr) == 1;
}

void serve(const std::shared_ptr<Resolver::State>& st) noexcept {
  using Phase = Resolver::State::Phase;
  std::unique_lock lock(st->mu);
  while (true) {
    Resolver::State::Entry* job = nullptr;
    for (auto& e : st->entries) {
      if (e.phase == Phase::kQueued) {
        job = &e;
        break;
      }
    }
    if (job == nullptr) {
      if (st->stop) return;
      st->cv.wait(lock);
      continue;
    }
    job->phase = Phase::kRunning;
    char host[sizeof job->host];
    std::memcpy(host, job->host, sizeof host);
    const std::uint16_t port = job->port;
    lock.unlock();
    Resolver::Answer a;
    a.error = resolve(host, port, AI_ADDRCONFIG, &a);
    lock.lock();
    a.ticket = job->answer.ticket;
    job->answer = a;
    job->phase = Phase::kDone;
    st->answered.fetch_add(1, std::memory_order_release);
  }
}

}  // namespace

Resolver::Resolver() = default;

Resolver::~Resolver() {
  if (state_ == nullptr) return;
  std::lock_guard lock(state_->mu);
  state_->stop = true;
  state_->cv.notify_all();
}

bool Resolver::start_thread() noexcept {
  if (state_ != nullptr) return true;
  try {
    auto st = std::make_shared<State>();
    std::thread([st] {
      pthread_setname_np(pthread_self(), "rk-resolver");
      serve(st);
    }).detach();
    state_ = std::move(st);
    answered_ = &state_->answered;
    return true;
  } catch (...) {
    return false;
  }
}

bool Resolver::lookup(std::uint64_t ticket, std::string_view host, std::uint16_t port,
                      Answer* now, bool* answered_now) noexcept {
  *answered_now = false;
  if (numeric(host)) {
    char buf[64];
    std::memcpy(buf, host.data(), host.size());
    buf[host.size()] = '\0';
    *now = Answer{};
    now->ticket = ticket;
    now->error = resolve(buf, port, AI_NUMERICHOST, now);
    *answered_now = true;
    return true;
  }
  if (host.size() >= sizeof(State::Entry::host)) {
    *now = Answer{};
    now->ticket = ticket;
    now->error = EAI_NONAME;
    *answered_now = true;
    return true;
  }
  if (pending_ == kMaxPending || !start_thread()) return false;
  std::lock_guard lock(state_->mu);
  for (auto& e : state_->entries) {
    if (e.phase != State::Phase::kFree) continue;
    std::memcpy(e.host, host.data(), host.size());
    e.host[host.size()] = '\0';
    e.port = port;
    e.answer = Answer{};
    e.answer.ticket = ticket;
    e.phase = State::Phase::kQueued;
    ++pending_;
    state_->cv.notify_one();
    return true;
  }
  return false;
}

std::size_t Resolver::collect(std::array<Answer, kMaxPending>& out) noexcept {
  std::size_t n = 0;
  std::lock_guard lock(state_->mu);
  for (auto& e : state_->entries) {
    if (e.phase != State::Phase::kDone) continue;
    out[n++] = e.answer;
    e.phase = State::Phase::kFree;
  }
  collected_ += n;
  pending_ -= n;
  return n;
}

const char* Resolver::error_text(int error) noexcept {
  if (error == 0) return "no error";
  if (error == EAI_NONAME) return "host not found";
  return ::gai_strerror(error);
}

}  // namespace ringkafka::io
