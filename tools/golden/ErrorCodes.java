// Writes every Kafka error code with its name and whether the Java client
// treats it as retriable (its exception is a RetriableException): the
// broker's own classification, which src/wire/error_code.cpp must match
// (tests/unit/wire_error_code_test.cpp).  Run through tools/golden/generate.

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;

public final class ErrorCodes {
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]).resolve("error_codes.txt");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            w.println("# code name retriable(1/0)");
            w.println("# written by tools/golden/generate with kafka-clients "
                + org.apache.kafka.common.utils.AppInfoParser.getVersion());
            for (Errors e : Errors.values()) {
                boolean retriable = e.exception() instanceof RetriableException;
                w.println(e.code() + " " + e.name() + " " + (retriable ? 1 : 0));
            }
        }
    }
}
