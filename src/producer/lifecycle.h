// The producer's calls that wait or look across every thread's slot rather
// than one record's path: flush(), what is still in flight, the counters,
// and what the destructor says about reports nobody polled.  None of them
// is on produce()'s path.
#pragma once

#include <chrono>
#include <cstdint>

#include "handoff/shared.h"
#include "ringkafka/producer.h"

namespace ringkafka::lifecycle {

// Waits until every record accepted before the call has its report, or
// `timeout` passes (kTimedOut); kResource when more than 256 threads need
// their targets on the heap and it has none.
Errc flush(handoff::Shared& shared, std::chrono::milliseconds timeout) noexcept;

ProducerStats stats(const handoff::Shared& shared) noexcept;

// Asks the sender for a snapshot and copies it into `out` once it is
// published: kTimedOut after `timeout`, kClosed once the sender stopped,
// kResource when `out` cannot grow.
Errc statistics(handoff::Shared& shared, Statistics& out, std::chrono::milliseconds timeout) noexcept;

// Reports the application never polled go with the producer: say how many,
// and how many of them were not delivered, as librdkafka does when it is
// destroyed with messages left (issue 13, defect 5).  stderr until there is
// the log (a warning).  After the sender has stopped.
void warn_unpolled(handoff::Shared& shared) noexcept;

}  // namespace ringkafka::lifecycle
