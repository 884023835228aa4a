// Writes golden test vectors with the Java Kafka client, so ringkafka's unit
// tests can compare byte for byte with what the reference implementation
// produces.  The record recipe below is mirrored in tests/unit/golden.h; see
// tests/golden/README.md.  Run through tools/golden/generate.
//
// `GoldenVectors verify FILE` goes the other way: FILE holds batches in
// record_batches.txt's format written by ringkafka, and the Java client's
// own reader checks each (tools/golden/verify).

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.SplittableRandom;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;
import org.apache.kafka.common.utils.Utils;

public final class GoldenVectors {
    static final int[] PARTITION_COUNTS = {1, 3, 12, 100, 1000};
    static final long BASE_TIMESTAMP = 1700000000000L;

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("verify")) {
            System.exit(verify(Path.of(args[1])));
        }
        Path out = Path.of(args[0]);
        writeMurmur2(out.resolve("murmur2.txt"));
        writeBatches(out.resolve("record_batches.txt"));
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) s.append(String.format("%02x", x & 0xff));
        return s.length() == 0 ? "." : s.toString();
    }

    // murmur2.txt: key-hex murmur2 then partitionForKey for each count.
    static void writeMurmur2(Path file) throws IOException {
        SplittableRandom rng = new SplittableRandom(0x5eed);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("# key_hex(. = empty) murmur2(signed) partition_for_key(n) for n in 1 3 12 100 1000");
            w.println("# written by tools/golden/generate with kafka-clients " + kafkaVersion());
            for (int i = 0; i < 4000; i++) {
                byte[] key;
                if (i < 1000) {
                    key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
                } else {
                    key = new byte[rng.nextInt(0, 65)];
                    for (int j = 0; j < key.length; j++) key[j] = (byte) rng.nextInt(256);
                }
                StringBuilder line = new StringBuilder();
                line.append(hex(key)).append(' ').append(Utils.murmur2(key));
                for (int n : PARTITION_COUNTS) line.append(' ').append(BuiltInPartitioner.partitionForKey(key, n));
                w.println(line);
            }
        }
    }

    // The record recipe (mirrored in tests/unit/golden.h).
    static long timestamp(int i) { return BASE_TIMESTAMP + 3L * i - (i % 3 == 2 ? 10 : 0); }
    static byte[] key(int i) { return ("key-" + i).getBytes(StandardCharsets.UTF_8); }
    static byte[] value(int i) {
        byte[] prefix = ("value-" + i + "-").getBytes(StandardCharsets.UTF_8);
        byte[] v = new byte[prefix.length + i % 17];
        System.arraycopy(prefix, 0, v, 0, prefix.length);
        for (int j = 0; j < i % 17; j++) v[prefix.length + j] = (byte) (i * 31 + j);
        return v;
    }
    static Header[] headers(int i) {
        Header[] h = new Header[i % 4];
        for (int j = 0; j < h.length; j++) {
            h[j] = new RecordHeader("h" + j, j == 1 ? null : new byte[] {(byte) j, (byte) i, (byte) 0xff});
        }
        return h;
    }

    record Case(String name, String codec, int count, boolean keyed, boolean nullValues,
                boolean withHeaders, long producerId, short epoch, int baseSequence, boolean transactional) {}

    static void writeBatches(Path file) throws IOException {
        Case[] cases = {
            new Case("single", "none", 1, true, false, false, -1, (short) -1, -1, false),
            new Case("keyed", "none", 10, true, false, false, -1, (short) -1, -1, false),
            new Case("null_keys", "none", 5, false, false, false, -1, (short) -1, -1, false),
            new Case("tombstones", "none", 3, true, true, false, -1, (short) -1, -1, false),
            new Case("headers", "none", 8, true, false, true, -1, (short) -1, -1, false),
            new Case("idempotent", "none", 6, true, false, false, 123456789L, (short) 7, 42, false),
            new Case("transactional", "none", 3, true, false, true, 987654321012L, (short) 3, 2147483600, true),
            new Case("gzip", "gzip", 50, true, false, true, -1, (short) -1, -1, false),
            new Case("snappy", "snappy", 50, true, false, true, -1, (short) -1, -1, false),
            new Case("lz4", "lz4", 50, true, false, true, -1, (short) -1, -1, false),
            new Case("zstd", "zstd", 50, true, false, true, 55L, (short) 1, 0, false),
        };
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("# name codec count keyed null_values headers producer_id epoch base_sequence transactional batch_hex");
            w.println("# written by tools/golden/generate with kafka-clients " + kafkaVersion());
            for (Case c : cases) {
                Compression compression = Compression.of(c.codec()).build();
                MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(1 << 16), RecordBatch.MAGIC_VALUE_V2,
                    compression, TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, c.producerId(), c.epoch(),
                    c.baseSequence(), c.transactional(), RecordBatch.NO_PARTITION_LEADER_EPOCH);
                for (int i = 0; i < c.count(); i++) {
                    b.append(timestamp(i), c.keyed() ? key(i) : null, c.nullValues() ? null : value(i),
                             c.withHeaders() ? headers(i) : new Header[0]);
                }
                ByteBuffer buf = b.build().buffer();
                byte[] bytes = new byte[buf.remaining()];
                buf.get(bytes);
                w.printf("%s %s %d %d %d %d %d %d %d %d %s%n", c.name(), c.codec(), c.count(), c.keyed() ? 1 : 0,
                         c.nullValues() ? 1 : 0, c.withHeaders() ? 1 : 0, c.producerId(), c.epoch(), c.baseSequence(),
                         c.transactional() ? 1 : 0, hex(bytes));
            }
        }
    }

    static String kafkaVersion() { return org.apache.kafka.common.utils.AppInfoParser.getVersion(); }

    // verify FILE: every batch must pass; the exit status is 0 only then.
    static int verify(Path file) throws IOException {
        int checked = 0;
        int failed = 0;
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.trim().split(" +");
            String problem;
            String name = f[0];
            try {
                if (f.length != 11) throw new IllegalArgumentException(f.length + " fields, want 11");
                Case c = new Case(f[0], f[1], Integer.parseInt(f[2]), f[3].equals("1"), f[4].equals("1"),
                    f[5].equals("1"), Long.parseLong(f[6]), Short.parseShort(f[7]), Integer.parseInt(f[8]),
                    f[9].equals("1"));
                problem = check(c, f[10].equals(".") ? new byte[0] : HexFormat.of().parseHex(f[10]));
            } catch (RuntimeException e) {
                problem = e.toString();
            }
            checked++;
            if (problem == null) {
                System.out.println("ok   " + name);
            } else {
                failed++;
                System.out.println("FAIL " + name + ": " + problem);
            }
        }
        System.out.printf("kafka-clients %s read %d batches, %d failed%n", kafkaVersion(), checked, failed);
        return checked > 0 && failed == 0 ? 0 : 1;
    }

    // What is wrong with `bytes` as the batch of case `c`, or null.  Reads it
    // as a broker or consumer would: MemoryRecords, the CRC, then every
    // record through the codec's decompressing stream.
    static String check(Case c, byte[] bytes) {
        Iterator<MutableRecordBatch> batches = MemoryRecords.readableRecords(ByteBuffer.wrap(bytes)).batches().iterator();
        if (!batches.hasNext()) return "no batch";
        MutableRecordBatch batch = batches.next();
        if (batches.hasNext()) return "more than one batch";
        if (batch.sizeInBytes() != bytes.length) return "batch length says " + batch.sizeInBytes() + " bytes, have " + bytes.length;
        if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) return "magic " + batch.magic();
        if (!batch.isValid()) return "CRC mismatch";
        batch.ensureValid();
        if (!batch.compressionType().name.equals(c.codec())) return "compression " + batch.compressionType().name;
        if (batch.timestampType() != TimestampType.CREATE_TIME) return "timestamp type " + batch.timestampType();
        if (batch.baseOffset() != 0 || batch.lastOffset() != c.count() - 1) return "offsets " + batch.baseOffset() + ".." + batch.lastOffset();
        if (batch.countOrNull() == null || batch.countOrNull() != c.count()) return "record count " + batch.countOrNull();
        if (batch.partitionLeaderEpoch() != RecordBatch.NO_PARTITION_LEADER_EPOCH) return "leader epoch " + batch.partitionLeaderEpoch();
        if (batch.producerId() != c.producerId() || batch.producerEpoch() != c.epoch()
                || batch.baseSequence() != c.baseSequence() || batch.isTransactional() != c.transactional()) {
            return "producer fields " + batch.producerId() + "/" + batch.producerEpoch() + "/" + batch.baseSequence()
                + "/" + batch.isTransactional();
        }
        long maxTimestamp = Long.MIN_VALUE;
        int i = 0;
        try (CloseableIterator<Record> records = batch.streamingIterator(BufferSupplier.create())) {
            while (records.hasNext()) {
                Record r = records.next();
                if (i >= c.count()) return "more than " + c.count() + " records";
                String problem = checkRecord(c, i, r);
                if (problem != null) return "record " + i + ": " + problem;
                maxTimestamp = Math.max(maxTimestamp, timestamp(i));
                i++;
            }
        }
        if (i != c.count()) return i + " records, want " + c.count();
        if (batch.maxTimestamp() != maxTimestamp) return "max timestamp " + batch.maxTimestamp() + ", want " + maxTimestamp;
        return null;
    }

    static String checkRecord(Case c, int i, Record r) {
        if (r.offset() != i) return "offset " + r.offset();
        if (r.timestamp() != timestamp(i)) return "timestamp " + r.timestamp();
        if (c.baseSequence() >= 0 && r.sequence() != DefaultRecordBatch.incrementSequence(c.baseSequence(), i)) {
            return "sequence " + r.sequence();
        }
        if (r.hasKey() != c.keyed() || (c.keyed() && !Arrays.equals(bytes(r.key()), key(i)))) return "key";
        if (r.hasValue() == c.nullValues() || (!c.nullValues() && !Arrays.equals(bytes(r.value()), value(i)))) return "value";
        Header[] want = c.withHeaders() ? headers(i) : new Header[0];
        Header[] got = r.headers();
        if (got.length != want.length) return got.length + " headers, want " + want.length;
        for (int j = 0; j < want.length; j++) {
            if (!got[j].key().equals(want[j].key()) || !Arrays.equals(got[j].value(), want[j].value())) return "header " + j;
        }
        return null;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}
