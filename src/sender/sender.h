// The sender thread: one io_uring event loop that drains every producing
// thread's ring, partitions and batches the records, talks to the brokers
// and hands back delivery reports.  docs/architecture.md has the picture.
#pragma once

#include <memory>

#include "handoff/shared.h"
#include "ringkafka/error.h"

namespace ringkafka::sender {

class Sender {
 public:
  // Starts the thread.  Errors: kResource (a thread, io_uring, memory).
  static Result<std::unique_ptr<Sender>> start(handoff::Shared& shared);
  // Joins the thread; shared.stopping must have been set.
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  void join() noexcept;

  struct Loop;

  // True on a sender thread (a callback called from it): a call that
  // waits for the sender would wait for itself.
  [[nodiscard]] static bool on_sender_thread() noexcept;

 private:
  explicit Sender(std::unique_ptr<Loop> loop) noexcept;
  std::unique_ptr<Loop> loop_;
};

}  // namespace ringkafka::sender
