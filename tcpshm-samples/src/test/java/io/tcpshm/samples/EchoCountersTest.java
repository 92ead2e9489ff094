package io.tcpshm.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The echo client's counters: every change reaches the file (what the next process and the tools read), the
 * values read back are the last ones written, and counters kept in memory write no file.
 */
class EchoCountersTest
{
    @TempDir
    Path dir;

    @Test
    void aReopenedFileHoldsEveryChangeInTheOrderTheClassGives() throws Exception
    {
        final Path file = dir.resolve("cli.echo");
        final EchoCounters first = EchoCounters.open(file);
        assertThat(first.pending()).isEqualTo(-1);
        first.beginSend(0, 100);
        first.endSend(0);
        first.beginSend(1, 164);
        first.received(0, 7);
        // killed here: message 1's push begun, not ended
        final EchoCounters again = EchoCounters.open(file);
        assertThat(again.sent()).isEqualTo(1);
        assertThat(again.pending()).isEqualTo(1);
        assertThat(again.pendingPosition()).isEqualTo(164);
        assertThat(again.received()).isEqualTo(1);
        assertThat(again.receivedPosition()).isEqualTo(7);
        assertThat(EchoCounters.read(file)).containsExactly(1, 1);
        again.clearPending();
        assertThat(EchoCounters.open(file).pending()).isEqualTo(-1);
        first.close();
        again.close();
    }

    @Test
    void countersInMemoryCountAndWriteNothing() throws Exception
    {
        final EchoCounters counters = EchoCounters.inMemory();
        assertThat(counters.sent()).isZero();
        assertThat(counters.pending()).isEqualTo(-1);
        counters.beginSend(0, 64);
        assertThat(counters.pending()).isZero();
        assertThat(counters.pendingPosition()).isEqualTo(64);
        counters.endSend(0);
        counters.received(0, 3);
        assertThat(counters.sent()).isEqualTo(1);
        assertThat(counters.received()).isEqualTo(1);
        assertThat(counters.receivedPosition()).isEqualTo(3);
        counters.close();
        try (var files = Files.list(dir))
        {
            assertThat(files).isEmpty();
        }
    }
}
