// The sender's I/O reactor: one io_uring, made and used by the sender thread
// only, with submission, completion dispatch and the idle step of
// io/idle.h.  What an operation means is the caller's: each carries a
// 64-bit token that comes back with its result.
//
// Submission never spins: when the kernel takes no more entries (its
// submission queue is full and io_uring_submit fails, say with EBUSY while
// completions wait to be reaped), sqe() answers nullptr and the caller
// fails what it was starting, as for any other I/O error.  The next pass
// reaps and frees the queue.
//
// Completions: the ring runs with DEFER_TASKRUN and TASKRUN_FLAG where the
// kernel has them, so reap() enters the kernel only when there is
// something to submit or the kernel says it holds completions (or its
// completion queue overflowed); a pass that finds nothing costs no system
// call.  With io_uring.sqpoll a kernel thread takes the submissions.
#pragma once

#include <liburing.h>

#include <cstdint>

#include "io/idle.h"

namespace ringkafka::io {

class Reactor {
 public:
  struct Options {
    unsigned entries = 256;  // io_uring.entries
    bool sqpoll = false;     // io_uring.sqpoll
    int cpu = -1;            // sender.cpu: the calling thread is pinned there
  };

  Reactor() = default;
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;
  ~Reactor() { close(); }

  // Sets the ring up on the calling thread, which must be the only one to
  // use it (SINGLE_ISSUER).  0, or the negative errno of the setup.
  [[nodiscard]] int open(const Options& options) noexcept;
  void close() noexcept;
  [[nodiscard]] bool is_open() const noexcept { return open_; }

  // A submission entry, with `together` entries free so that a linked
  // group is never split across submissions; nullptr when the kernel takes
  // no more (see above).
  [[nodiscard]] io_uring_sqe* sqe(unsigned together = 1) noexcept;

  // Submits what is queued and hands every completion to
  // on_completion(token, result); true when there was any.
  template <class OnCompletion>
  bool reap(OnCompletion&& on_completion) noexcept {
    if (io_uring_sq_ready(&ring_) > 0 || (defer_taskrun_ && kernel_has_completions())) {
      (void)io_uring_submit_and_get_events(&ring_);
    }
    io_uring_cqe* cqe = nullptr;
    unsigned head = 0;
    unsigned seen = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      on_completion(cqe->user_data, cqe->res);
    }
    io_uring_cq_advance(&ring_, seen);
    return seen != 0;
  }

  // Submits what is queued and waits up to `wait_ns` for a completion
  // (which reap() then hands over).
  void wait(std::int64_t wait_ns) noexcept;

  // A pass found nothing: spin, yield or park as `step` says, parking no
  // longer than `max_wait_ns` (the next deadline).  A park ends early on
  // any completion.
  void idle(const IdlePolicy::Step& step, std::int64_t max_wait_ns) noexcept;

 private:
  [[nodiscard]] bool kernel_has_completions() const noexcept {
    const unsigned flags = IO_URING_READ_ONCE(*ring_.sq.kflags);
    return (flags & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW)) != 0;
  }

  io_uring ring_{};
  bool open_ = false;
  bool sqpoll_ = false;
  bool defer_taskrun_ = false;
};

}  // namespace ringkafka::io
