package io.tcpshm.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the benchmark harness end to end with tiny durations: every row (each a pair of processes)
 * produces a result, and the table, JSON and chart are written. Numbers from such short runs mean
 * nothing; the point is that every scenario works.
 */
class BenchCommandTest
{
    @TempDir
    Path out;

    @Test
    void everyRowRunsAndTheReportIsWritten() throws Exception
    {
        final int exit = new CommandLine(new BenchCommand()).execute("--payloads", "16", "--no-jmh", "--pairs", "2", "--crowds", "0,20", "--warmup-ms", "50",
            "--measure-ms", "150", "--out", out.toString());
        assertThat(exit).isZero();
        final List<Path> runs;
        try (Stream<Path> s = Files.list(out))
        {
            runs = s.collect(Collectors.toList());
        }
        assertThat(runs).hasSize(1);
        final Path dir = runs.get(0);
        final String table = Files.readString(dir.resolve("table.txt"));
        for (final String row : new String[] {"shm ping-pong 16B tcpshm", "shm ping-pong 16B raw-shm floor",
            "shm ping-pong 16B aeron ipc", "tcp ping-pong 16B tcpshm", "tcp ping-pong 16B raw-nio floor",
            "pollCtl every iteration", "forced to disk every push", "shm stream 32B tcpshm", "shm stream 32B raw-ring floor", "tcp stream 32B tcpshm push",
            "tcp stream 32B tcpshm pushMore x64", "counters on 1", "counters compiled out 3", "median p50",
            "p50 of each process pair", "mxbeans on 1", "mxbeans off 3", "MXBeans A/B",
            "idle shm ping 64B every 1 ms, server busy-spin", "idle tcp ping 64B every 1 ms, server backoff", "idle CPU %core",
            "echo programs, round trip", "p50/C", "tcp ping-pong 16B, 20 idle connections",
            "shm ping-pong 16B, 20 idle connections", "connections, round trip", "memory per TCP slot, 10000 slots",
            "resident memory per logged-on connection", "shm ping-pong 16B raw-shm 2-line floor", "shm ping-pong 16B bare rings",
            "echo, exactly-once on 1", "echo, exactly-once off 3", "exactly-once (echo) A/B"})
        {
            assertThat(table).contains(row);
        }
        // measured where there is a C compiler (as on the machines this project builds on), else said why not
        assertThat(table).containsPattern(CFloor.build(Files.createDirectories(out.resolve("cc")), System.getenv("PATH"))
            .available() ? "shm ping-pong 16B C floor +\\d" : "shm ping-pong 16B C floor +skipped: no C compiler");
        assertThat(table).containsPattern("shm ping-pong 16B C 2-line floor +(\\d|skipped: no C compiler)");
        // the echo programs as users run them, SHM and TCP (the samples are on this module's test class path)
        assertThat(table).containsPattern(Pattern.quote(EchoRows.SHM_ROW) + " +\\d")
            .containsPattern(Pattern.quote(EchoRows.TCP_ROW) + " +\\d");
        assertThat(table).contains("targets");
        final String json = Files.readString(dir.resolve("results.json"));
        assertThat(json).contains("\"p50Ns\"", "\"msgsPerSec\"", "\"histogram\"", "\"serverIdleCpuPercent\"",
            "\"reloginSeconds\"", "\"serverCpuNsPerPoll\"");
        assertThat(Files.readString(dir.resolve("rtt-percentiles.svg"))).startsWith("<svg").contains("polyline");
    }

    @Test
    void theCFloorIsSkippedWithAReasonWhereThereIsNoCompiler() throws Exception
    {
        final CFloor floor = CFloor.build(Files.createDirectories(out.resolve("none")), "");
        assertThat(floor.available()).isFalse();
        assertThat(floor.skipped()).startsWith("no C compiler");
    }

    @Test
    void theCFloorsRoundTripsAreReadIntoARow() throws Exception
    {
        final Path file = out.resolve("c-result.txt");
        Files.writeString(file, "150 3\n160 1\n2000000 1\n");
        final BenchResult r = CFloor.readResult(file, "shm ping-pong 16B C floor");
        assertThat(r.num("count")).isEqualTo(5);
        assertThat(r.num("p50Ns")).isEqualTo(150);
        assertThat(r.num("maxNs")).isBetween(2_000_000.0, 2_002_000.0); // three significant digits
    }
}
