#include "io/reactor.h"

#include <pthread.h>
#include <sched.h>

#include <cerrno>

namespace ringkafka::io {

int Reactor::open(const Options& options) noexcept {
  io_uring_params p{};
  p.flags = IORING_SETUP_SINGLE_ISSUER;
  if (options.sqpoll) {
    p.flags |= IORING_SETUP_SQPOLL;
    p.sq_thread_idle = 100;
  } else {
    // Completions are processed only when we ask, so a spinning sender is
    // not interrupted for them, and the kernel raises IORING_SQ_TASKRUN
    // when there are some: reap() enters the kernel only then.
    p.flags |= IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
  }
  int rc = io_uring_queue_init_params(options.entries, &ring_, &p);
  if (rc == -EINVAL) {  // an older kernel: without the flags
    io_uring_params plain{};
    rc = io_uring_queue_init_params(options.entries, &ring_, &plain);
    p.flags = 0;
  }
  if (rc < 0) return rc;
  open_ = true;
  sqpoll_ = (p.flags & IORING_SETUP_SQPOLL) != 0;
  defer_taskrun_ = (p.flags & IORING_SETUP_DEFER_TASKRUN) != 0;
  if (options.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<unsigned>(options.cpu), &set);
    (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  }
  return 0;
}

void Reactor::close() noexcept {
  if (!open_) return;
  io_uring_queue_exit(&ring_);
  open_ = false;
}

io_uring_sqe* Reactor::sqe(unsigned together) noexcept {
  if (io_uring_sq_space_left(&ring_) < together) {
    // Hand the queue to the kernel; a submission interrupted by a signal
    // is tried again, any other failure is the caller's error.
    int rc;
    do {
      rc = io_uring_submit(&ring_);
    } while (rc == -EINTR);
    // The SQPOLL thread takes entries on its own time: wait for room.
    if (sqpoll_ && io_uring_sq_space_left(&ring_) < together) (void)io_uring_sqring_wait(&ring_);
    if (io_uring_sq_space_left(&ring_) < together) return nullptr;
  }
  return io_uring_get_sqe(&ring_);
}

void Reactor::wait(std::int64_t wait_ns) noexcept {
  if (wait_ns <= 0) return;
  __kernel_timespec ts{};
  ts.tv_sec = wait_ns / 1'000'000'000LL;
  ts.tv_nsec = wait_ns % 1'000'000'000LL;
  io_uring_cqe* cqe = nullptr;
  (void)io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
}

void Reactor::idle(const IdlePolicy::Step& step, std::int64_t max_wait_ns) noexcept {
  switch (step.action) {
    case IdlePolicy::Action::kSpin:
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      return;
    case IdlePolicy::Action::kYield:
      (void)sched_yield();
      return;
    case IdlePolicy::Action::kPark:
      wait(step.park_ns < max_wait_ns ? step.park_ns : max_wait_ns);
      return;
  }
}

}  // namespace ringkafka::io
