// A live member of a consumer group, for the KIP-447 tests: it joins GROUP
// (the classic protocol) subscribed to TOPIC, and each time it is given a
// generation writes "GENERATION MEMBER-ID" (its groupMetadata(), what a
// consume-transform-produce application hands its producer) as the last
// line of OUT.  It polls without committing anything until killed.
//
//   java -cp 'LIBS/*' GroupMember.java BOOTSTRAP GROUP TOPIC OUT
//
// Run by `tools/kafka-local group-member`.
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public final class GroupMember {
  public static void main(String[] argv) throws Exception {
    final Properties props = new Properties();
    props.put("bootstrap.servers", argv[0]);
    props.put("group.id", argv[1]);
    props.put("enable.auto.commit", "false");
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    final Path out = Path.of(argv[3]);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(argv[2]));
      String written = "";
      for (;;) {
        consumer.poll(Duration.ofMillis(100));
        // The generation is the group's once the join has completed; a
        // rebalance gives a new one.
        final ConsumerGroupMetadata m = consumer.groupMetadata();
        final String line = m.generationId() + " " + m.memberId() + "\n";
        if (m.generationId() > 0 && !line.equals(written)) {
          Files.writeString(out, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
          written = line;
        }
      }
    }
  }
}
