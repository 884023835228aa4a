// Host names to addresses, off the sender thread: getaddrinfo() blocks (a
// slow or absent DNS server holds it for seconds), and the sender must keep
// serving every other broker meanwhile.
//
// A numeric address (an IPv4 or IPv6 literal) is answered at once, on the
// caller's thread, with no lookup.  A name goes to a resolver thread,
// started at the first name and stopped with the Resolver; poll() hands the
// answers over.  Asking and polling are the sender's (one thread); poll()
// costs one atomic load while nothing has come back, so the sender calls it
// on every pass.
#pragma once

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

namespace ringkafka::io {

class Resolver {
 public:
  struct Answer {
    std::uint64_t ticket = 0;
    int error = 0;  // 0, or an EAI_* code (error_text() names it)
    sockaddr_storage addr{};
    socklen_t addr_len = 0;
    int family = 0;
  };
  // Names being looked up at once at most; lookup() refuses more.
  static constexpr std::size_t kMaxPending = 64;

  Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;
  // Does not wait for a lookup in progress: the thread finishes it alone.
  ~Resolver();

  // Looks `host` up; its answer comes from poll() with `ticket`, or at once
  // into *now (true returned either way) when host is a numeric address.
  // false: too many lookups pending, or the thread cannot start.
  [[nodiscard]] bool lookup(std::uint64_t ticket, std::string_view host, std::uint16_t port,
                            Answer* now, bool* answered_now) noexcept;

  // Hands every answer that came back to on_answer(const Answer&); true if
  // there was one.
  template <class OnAnswer>
  bool poll(OnAnswer&& on_answer) noexcept {
    // Acquire: pairs with the thread's release after it wrote an answer.
    if (answered_ == nullptr || answered_->load(std::memory_order_acquire) == collected_) {
      return false;
    }
    const std::size_t n = collect(out_);
    for (std::size_t i = 0; i < n; ++i) on_answer(out_[i]);
    return n != 0;
  }

  [[nodiscard]] std::size_t pending() const noexcept { return pending_; }
  [[nodiscard]] static const char* error_text(int error) noexcept;

 struct State;  // shared with the thread (resolver.cpp)

 private:
  std::size_t collect(std::array<Answer, kMaxPending>& out) noexcept;
  bool start_thread() noexcept;

  std::shared_ptr<State> state_;
  const std::atomic<std::uint64_t>* answered_ = nullptr;  // in *state_
  std::uint64_t collected_ = 0;  // answers taken by poll()
  // Where poll() collects them: a member, so that the check on every pass
  // has no 10 KiB stack frame to set up.
  std::array<Answer, kMaxPending> out_{};
  std::size_t pending_ = 0;
};

}  // namespace ringkafka::io
