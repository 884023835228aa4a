// ringkafka-perf's workload through the Java client (kafka-clients), run by
// ringkafka-perf --compare java as a child process with the source launcher:
//
//   java -cp 'LIBS/*' JavaPerf.java --config FILE --out FILE --topic T
//        --mode latency|throughput --rate R --count N --warmup N --size B
//        --key-size B --threads N --spin-ns N --drain-ms N
//   java -cp 'LIBS/*' JavaPerf.java --config FILE --out FILE --topic T
//        --mode transactions --records-per-txn N --transactions N
//        --transactional-id ID --size B --key-size B
//
// It does what tools/perf/workload.h does for the C++ clients, in the way a
// Java user would: one KafkaProducer<byte[], byte[]> shared by the threads,
// send() with a callback (which runs on the producer's I/O thread, so "ack"
// is when the callback ran, not when a poll served it), the same schedule
// (start + i / (rate / threads), no coordinated omission), the same distinct
// keys and the same 16 priming records before any clock.  send() never
// answers "queue full": it blocks for up to max.block.ms, which is inside
// "call".  The key and value arrays are reused: send() has copied them into
// the batch before it returns.
//
// --out gets "name value" lines, then "records", then one line per measured
// record: late (or -1 in throughput mode), call and ack in ns, ack -1 when the
// record failed or had no report.
import java.io.BufferedWriter;
import java.io.FileReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public final class JavaPerf {
  // One producing thread's records, by number.  Only that thread writes
  // late/call; the I/O thread writes ack; both are read after close().
  static final class Shard {
    final long[] late;
    final long[] call;
    final long[] ack;
    final long[] intended;
    long firstSend = Long.MAX_VALUE;
    long lastAccept = 0;
    Shard(int n) {
      late = new long[n];
      call = new long[n];
      ack = new long[n];
      intended = new long[n];
      java.util.Arrays.fill(ack, -1);
    }
  }

  static final AtomicLong delivered = new AtomicLong();
  static final AtomicLong failed = new AtomicLong();
  static final AtomicLong reported = new AtomicLong();
  static final AtomicLong lastReport = new AtomicLong();
  static final AtomicReference<String> firstError = new AtomicReference<>();

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) a.put(argv[i], argv[i + 1]);
    Properties props = new Properties();
    try (Reader r = new FileReader(a.get("--config"), StandardCharsets.UTF_8)) {
      props.load(r);
    }
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    if (a.get("--mode").equals("transactions")) {
      transactions(props, a);
      return;
    }
    final String topic = a.get("--topic");
    final boolean latency = a.get("--mode").equals("latency");
    final double rate = Double.parseDouble(a.get("--rate"));
    final long count = Long.parseLong(a.get("--count"));
    final long warmup = Long.parseLong(a.get("--warmup"));
    final int size = Integer.parseInt(a.get("--size"));
    final int keySize = Integer.parseInt(a.get("--key-size"));
    final int threads = Integer.parseInt(a.get("--threads"));
    final long spinNs = Long.parseLong(a.get("--spin-ns"));
    final long drainMs = Long.parseLong(a.get("--drain-ms"));

    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      // Prime: metadata fetched, connections made, before any clock starts.
      // With max.block.ms=0 (the low_latency preset) a send before the
      // topic's metadata arrives fails at once: ask until it is there.
      final long metadataDeadline = System.nanoTime() + drainMs * 1_000_000L;
      for (;;) {
        try {
          producer.partitionsFor(topic);
          break;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
          if (System.nanoTime() > metadataDeadline) throw e;
          Thread.sleep(10);
        }
      }
      for (long i = 0; i < 16; ++i) {
        producer.send(new ProducerRecord<>(topic, longBytes(i), "prime".getBytes(StandardCharsets.US_ASCII)),
            (md, e) -> {
              if (e != null) firstError.compareAndSet(null, "priming failed: " + describe(e));
            });
      }
      producer.flush();
      if (firstError.get() != null) {
        System.err.println(firstError.get());
        System.exit(1);
      }

      final Shard[] shards = new Shard[threads];
      final Thread[] workers = new Thread[threads];
      final long start = System.nanoTime() + 20_000_000L + 2_000_000L * threads;
      final long[] cpuBefore = cpuTicks();
      final AtomicLong accepted = new AtomicLong();
      for (int ti = 0; ti < threads; ++ti) {
        final int index = ti;
        final long myWarmup = share(warmup, threads, index);
        final long n = myWarmup + share(count, threads, index);
        final Shard s = new Shard((int) n);
        shards[ti] = s;
        workers[ti] = new Thread(() -> {
          final double intervalNs = latency ? 1e9 * threads / rate : 0.0;
          final byte[] key = keySize == 0 ? null : filled(keySize, (byte) 'k');
          final byte[] value = filled(size, (byte) 'v');
          sleepUntil(start);
          for (int i = 0; i < n; ++i) {
            final boolean measured = i >= myWarmup;
            long intended = 0;
            if (latency) {
              intended = start + (long) (i * intervalNs);
              pace(intended, spinNs);
            }
            if (key != null) {
              long stamp = ((long) index << 40) ^ i;
              for (int b = 0; b < Math.min(8, keySize); ++b) key[b] = (byte) (stamp >>> (8 * b));
            }
            final long t0 = System.nanoTime();
            s.intended[i] = latency ? intended : t0;
            if (latency && measured) s.late[i] = Math.max(t0 - intended, 0);
            final int record = i;
            try {
              producer.send(new ProducerRecord<>(topic, key, value), (md, e) -> {
                final long now = System.nanoTime();
                reported.incrementAndGet();
                if (e != null) {
                  failed.incrementAndGet();
                  firstError.compareAndSet(null, describe(e));
                  return;
                }
                if (record < myWarmup) return;
                s.ack[record] = Math.max(now - s.intended[record], 0);
                delivered.incrementAndGet();
                lastReport.accumulateAndGet(now, Math::max);
              });
            } catch (RuntimeException e) {
              failed.incrementAndGet();
              firstError.compareAndSet(null, describe(e));
              continue;
            }
            final long t1 = System.nanoTime();
            accepted.incrementAndGet();
            if (measured) {
              s.call[i] = t1 - t0;
              s.firstSend = Math.min(s.firstSend, t0);
              s.lastAccept = t1;
            }
          }
        }, "javaperf-" + ti);
        workers[ti].start();
      }
      for (Thread w : workers) w.join();
      producer.flush();
      final long end = System.nanoTime();
      final long[] cpuAfter = cpuTicks();
      producer.close(Duration.ofMillis(drainMs));

      long firstSend = Long.MAX_VALUE;
      long lastAccept = 0;
      for (Shard s : shards) {
        firstSend = Math.min(firstSend, s.firstSend);
        lastAccept = Math.max(lastAccept, s.lastAccept);
      }
      try (BufferedWriter out = Files.newBufferedWriter(Path.of(a.get("--out")), StandardCharsets.UTF_8)) {
        out.write("accepted " + accepted.get() + "\n");
        out.write("delivered " + delivered.get() + "\n");
        out.write("failed " + failed.get() + "\n");
        out.write("undelivered " + Math.max(accepted.get() - reported.get(), 0) + "\n");
        out.write("produce_ns " + Math.max(lastAccept - firstSend, 0) + "\n");
        out.write("total_ns " + Math.max(lastReport.get() - firstSend, 0) + "\n");
        out.write("wall_ns " + (end - start) + "\n");
        // /proc/self/stat counts in USER_HZ, 100 on every Linux.
        out.write("cpu_user_ns " + (cpuAfter[0] - cpuBefore[0]) * 10_000_000L + "\n");
        out.write("cpu_system_ns " + (cpuAfter[1] - cpuBefore[1]) * 10_000_000L + "\n");
        if (firstError.get() != null) out.write("first_error " + firstError.get().replace('\n', ' ') + "\n");
        out.write("records\n");
        StringBuilder line = new StringBuilder(64);
        for (int ti = 0; ti < threads; ++ti) {
          final Shard s = shards[ti];
          final long myWarmup = share(warmup, threads, ti);
          for (int i = (int) myWarmup; i < s.call.length; ++i) {
            line.setLength(0);
            line.append(latency ? s.late[i] : -1).append(' ').append(s.call[i]).append(' ').append(s.ack[i]).append('\n');
            out.write(line.toString());
          }
        }
      }
    }
  }

  // --mode transactions (tools/perf/transactions.h): the plain run, then
  // the transactional one, on this thread, as the C++ clients do.
  //
  //   --records-per-txn N --transactions N --transactional-id ID
  //   --size B --key-size B
  //
  // --out gets "plain_ns", "failed", "first_error" lines, then
  // "transactions", then "commit_ns transaction_ns" per measured
  // transaction.  send() runs into buffer.memory and blocks, as a Java
  // user's would; commitTransaction() flushes first.
  static void transactions(Properties base, Map<String, String> a) throws Exception {
    final String topic = a.get("--topic");
    final long perTxn = Long.parseLong(a.get("--records-per-txn"));
    final long count = Long.parseLong(a.get("--transactions"));
    final int size = Integer.parseInt(a.get("--size"));
    final int keySize = Integer.parseInt(a.get("--key-size"));
    final byte[] key = keySize == 0 ? null : filled(keySize, (byte) 'k');
    final byte[] value = filled(size, (byte) 'v');
    final org.apache.kafka.clients.producer.Callback onReport = (md, e) -> {
      if (e == null) return;
      failed.incrementAndGet();
      firstError.compareAndSet(null, describe(e));
    };
    long plainNs;
    try (KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(base)) {
      sendRecords(plain, topic, key, value, 0, 16, onReport);  // primed: metadata, connections
      plain.flush();
      final long start = System.nanoTime();
      sendRecords(plain, topic, key, value, 16, perTxn * count, onReport);
      plain.flush();
      plainNs = System.nanoTime() - start;
    }
    Properties txn = new Properties();
    txn.putAll(base);
    txn.put("transactional.id", a.get("--transactional-id"));
    final long[] commitNs = new long[(int) count];
    final long[] txnNs = new long[(int) count];
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(txn)) {
      producer.initTransactions();
      for (long t = 0; t <= count; ++t) {  // the first: unmeasured
        final long begin = System.nanoTime();
        producer.beginTransaction();
        sendRecords(producer, topic, key, value, t * perTxn, perTxn, onReport);
        final long commit = System.nanoTime();
        producer.commitTransaction();
        final long end = System.nanoTime();
        if (t == 0) continue;
        commitNs[(int) t - 1] = end - commit;
        txnNs[(int) t - 1] = end - begin;
      }
    }
    try (BufferedWriter out = Files.newBufferedWriter(Path.of(a.get("--out")), StandardCharsets.UTF_8)) {
      out.write("plain_ns " + plainNs + "\n");
      out.write("failed " + failed.get() + "\n");
      if (firstError.get() != null) out.write("first_error " + firstError.get().replace('\n', ' ') + "\n");
      out.write("transactions\n");
      for (int t = 0; t < count; ++t) out.write(commitNs[t] + " " + txnNs[t] + "\n");
    }
  }

  // Records first..first+n, each with a distinct key (the record's number
  // in the key's first bytes), the same value.
  static void sendRecords(KafkaProducer<byte[], byte[]> p, String topic, byte[] key, byte[] value,
                          long first, long n, org.apache.kafka.clients.producer.Callback cb) {
    for (long i = first; i < first + n; ++i) {
      if (key != null) {
        for (int b = 0; b < Math.min(8, key.length); ++b) key[b] = (byte) (i >>> (8 * b));
      }
      p.send(new ProducerRecord<>(topic, key, value), cb);
    }
  }

  static String describe(Throwable e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  static long share(long total, int threads, int index) {
    return total / threads + (index < total % threads ? 1 : 0);
  }

  static byte[] filled(int n, byte b) {
    byte[] x = new byte[n];
    java.util.Arrays.fill(x, b);
    return x;
  }

  static byte[] longBytes(long v) {
    byte[] x = new byte[8];
    for (int b = 0; b < 8; ++b) x[b] = (byte) (v >>> (8 * b));
    return x;
  }

  static void sleepUntil(long deadline) {
    for (long left; (left = deadline - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
  }

  // Sleeps while the send time is more than spinNs away, then spins to it.
  static void pace(long intended, long spinNs) {
    for (;;) {
      final long left = intended - System.nanoTime();
      if (left <= 0) return;
      if (left > spinNs) {
        LockSupport.parkNanos(left - spinNs);
      } else {
        Thread.onSpinWait();
      }
    }
  }

  // {utime, stime} of this process, in USER_HZ ticks.
  static long[] cpuTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
  }
}
