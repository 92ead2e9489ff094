package io.tcpshm.bench;

import io.tcpshm.harness.ChildProcesses;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code tcpshm bench}: measures tcpshm against floors and a peer in one run, with the same
 * harness and payloads, each side of each pair in its own process polling from one thread:
 * ping-pong round trips over SHM (tcpshm, a raw mapped-buffer floor, Aeron IPC) and over TCP
 * (tcpshm, a raw NIO floor), the rings' ladder (the floors with the index on a line of its own, the ring format in
 * C, the library's bare rings), the echo programs and their exactly-once A/B, one-way streams (tcpshm SHM and TCP, a raw mapped-ring floor), the
 * cost of calling {@code pollCtl} in every iteration (the other rows' servers call it every 16384
 * iterations, the method of the C++ figures the targets compare with), the cost of the per-connection counters
 * (alternating rows with the counters on and compiled out) and of the MXBeans (registered or not), the idle
 * strategies of {@code io.tcpshm.runner} (a ping every millisecond, and the server's CPU while idle), and JMH
 * micro-benchmarks with the GC profiler. Prints a table with ratios, writes JSON and an SVG percentile chart.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks tcpshm against a raw shared-memory floor, a raw NIO floor and Aeron IPC in one run.")
public final class BenchCommand implements java.util.concurrent.Callable<Integer>
{
    @Option(names = "--quick", description = "Short runs (about a minute in all) instead of the full run (about 10).")
    boolean quick;

    @Option(names = "--out", defaultValue = "bench-results", description = "Results directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--payloads", split = ",", defaultValue = "16,64,256",
        description = "Ping-pong payload sizes in bytes (default ${DEFAULT-VALUE}).")
    int[] payloads;

    @Option(names = "--no-jmh", description = "Skip the JMH micro-benchmarks.")
    boolean noJmh;

    @Option(names = "--only", description = "Run only the rows whose name contains this text.")
    String only;

    @Option(names = "--warmup-ms", description = "Warm-up per row in ms (default: 400 quick, 2000 full).")
    Long warmupOverride;

    @Option(names = "--pairs", description = "Process pairs per ping-pong row, their histograms added (default: 1 quick, 3 full).")
    Integer pairsOverride;

    @Option(names = "--crowds", split = ",",
        description = "Idle connections of the connections rows (default: 0,100,1000 quick, 0,100,1000,10000 full).")
    int[] crowdsOverride;

    @Option(names = "--measure-ms", description = "Measurement per row in ms (default: 1000 quick, 8000 full).")
    Long measureOverride;

    @Option(names = "--jvm-opt", paramLabel = "OPTION",
        description = "An option for every Java side's JVM, e.g. --jvm-opt=-Xlog:safepoint:file=sp-%%p.log (repeatable).")
    List<String> jvmOpts = new ArrayList<>();

    @Option(names = "--node-opt", paramLabel = "KEY=VALUE",
        description = "An option for both sides of every ping-pong and stream row, e.g. --node-opt shmQueueSize=65536 for the rings "
            + "of the tcpshm rows (repeatable; see TcpShmSetup).")
    List<String> nodeOpts = new ArrayList<>();

    /** Pairs of rows (counters on, compiled out) of the counters' A/B; the MXBeans' A/B has as many. */
    static final int COUNTER_PAIRS = 3;

    /** How long an idle server's CPU is measured, ms. */
    static final long IDLE_CPU_MS = 2_000;

    private final PrintStream console = System.out;
    private final List<Process> running = new ArrayList<>();
    /** Built before the first C floor row of a run. */
    private CFloor cFloor;

    @Override
    public Integer call() throws Exception
    {
        if (pairsOverride != null && pairsOverride < 1)
        {
            throw new IllegalArgumentException("--pairs must be at least 1, was " + pairsOverride);
        }
        final long warmupMs = warmupOverride != null ? warmupOverride : quick ? 400 : 2000;
        final long measureMs = measureOverride != null ? measureOverride : quick ? 1000 : 8000;
        final Path shmBase = Files.isWritable(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        final Path scratch = Files.createTempDirectory(shmBase, "tcpshm-bench-");
        final Path work = Files.createTempDirectory("tcpshm-bench-");
        final Thread cleanup = new Thread(this::killAll);
        Runtime.getRuntime().addShutdownHook(cleanup);
        final List<BenchResult> results = new ArrayList<>();
        final int mid = payloads[payloads.length / 2];
        final long started = System.nanoTime();
        try
        {
            console.printf("tcpshm bench (%s): each row is two processes on this host (a ping-pong row: %d such pairs in "
                + "turn, histograms added); warm-up %d ms per pair, measure %d ms per row%n", quick ? "quick" : "full",
                processPairs(), warmupMs, measureMs);
            int n = 0;
            for (final int p : payloads)
            {
                final String shm = "shm ping-pong " + p + "B ";
                final String tcp = "tcp ping-pong " + p + "B ";
                run(results, shm + "tcpshm", "tcpshm-pingpong", "shm=true payload=" + p, warmupMs, measureMs, scratch, work, n++);
                if (p == payloads[0])
                {
                    // the counters' A/B: alternating pairs of shorter rows, judged by the median of the paired
                    // ratios, because two identical rows run one after the other differ by up to 20% on this machine
                    for (int pair = 1; pair <= COUNTER_PAIRS; pair++)
                    {
                        // on, off; off, on; on, off: neither side always runs first
                        for (int k = 0; k < 2; k++)
                        {
                            final boolean on = onFirst(pair) == (k == 0);
                            run(results, shm + "tcpshm, counters " + (on ? "on " : "compiled out ") + pair,
                                "tcpshm-pingpong", "shm=true payload=" + p + (on ? "" : " counters=off"), warmupMs / 2,
                                measureMs / 4, scratch, work, n++, 1);
                        }
                    }
                    // the MXBeans' A/B, the same way: registered on both sides, or not
                    for (int pair = 1; pair <= COUNTER_PAIRS; pair++)
                    {
                        for (int k = 0; k < 2; k++)
                        {
                            final boolean on = onFirst(pair) == (k == 0);
                            run(results, shm + "tcpshm, mxbeans " + (on ? "on " : "off ") + pair, "tcpshm-pingpong",
                                "shm=true payload=" + p + (on ? " mxbeans=on" : ""), warmupMs / 2, measureMs / 4, scratch,
                                work, n++, 1);
                        }
                    }
                }
                run(results, shm + "raw-shm floor", "raw-shm-pingpong", "payload=" + p, warmupMs, measureMs, scratch, work, n++);
                run(results, shm + "C floor", CFloor.SCENARIO, "payload=" + p, warmupMs, measureMs, scratch, work, n++);
                // the floors of the rings' format, whose index sits on a cache line apart from the messages
                run(results, shm + "C 2-line floor", CFloor.SCENARIO, "payload=" + p + " layout=split", warmupMs,
                    measureMs, scratch, work, n++);
                run(results, shm + "raw-shm 2-line floor", "raw-shm-pingpong", "payload=" + p + " layout=split",
                    warmupMs, measureMs, scratch, work, n++);
                run(results, shm + "C rings", CFloor.SCENARIO, "payload=" + p + " layout=ring", warmupMs, measureMs,
                    scratch, work, n++);
                run(results, shm + "bare rings", "bare-ring-pingpong", "payload=" + p, warmupMs, measureMs, scratch, work,
                    n++);
                run(results, shm + "aeron ipc", "aeron-pingpong", "payload=" + p, warmupMs, measureMs, scratch, work, n++);
                run(results, tcp + "tcpshm", "tcpshm-pingpong", "shm=false payload=" + p, warmupMs, measureMs, scratch, work, n++);
                run(results, tcp + "raw-nio floor", "raw-tcp-pingpong", "payload=" + p, warmupMs, measureMs, scratch, work, n++);
            }
            runEcho(results, EchoRows.SHM_ROW, true, true, warmupMs, measureMs, scratch, work, n++, processPairs());
            runEcho(results, EchoRows.TCP_ROW, false, true, warmupMs, measureMs, scratch, work, n++, processPairs());
            // what exactly-once costs the echo programs: alternating pairs as users run them (the server's reply
            // journal, the client's counters file) and without both
            for (int pair = 1; pair <= COUNTER_PAIRS; pair++)
            {
                for (int k = 0; k < 2; k++)
                {
                    final boolean on = onFirst(pair) == (k == 0);
                    runEcho(results, "shm ping-pong 4-16B echo, exactly-once " + (on ? "on " : "off ") + pair, true, on,
                        warmupMs / 2, measureMs / 4, scratch, work, n++, 1);
                }
            }
            run(results, "shm ping-pong " + mid + "B tcpshm, pollCtl every iteration", "tcpshm-pingpong",
                "shm=true payload=" + mid + " ctlEvery=1", warmupMs, measureMs, scratch, work, n++);
            run(results, "tcp ping-pong " + mid + "B tcpshm, forced to disk every push", "tcpshm-pingpong",
                "shm=false payload=" + mid + " forceInterval=0", warmupMs, measureMs, scratch, work, n++);
            run(results, "shm stream 32B tcpshm", "tcpshm-stream", "shm=true payload=32", warmupMs, measureMs, scratch, work, n++);
            run(results, "shm stream 32B raw-ring floor", "raw-shm-stream", "payload=32", warmupMs, measureMs, scratch, work, n++);
            run(results, "tcp stream 32B tcpshm push", "tcpshm-stream", "shm=false payload=32 batch=1", warmupMs,
                measureMs, scratch, work, n++);
            run(results, "tcp stream 32B tcpshm pushMore x64", "tcpshm-stream", "shm=false payload=32 batch=64",
                warmupMs, measureMs, scratch, work, n++);
            // the idle strategies of io.tcpshm.runner: a ping every millisecond lets the server idle between round
            // trips; each row also measures the server's CPU while nothing arrives at all
            for (final String transport : new String[] {"shm", "tcp"})
            {
                for (final String idle : new String[] {"busy-spin", "yield", "backoff"})
                {
                    run(results, "idle " + transport + " ping 64B every 1 ms, server " + idle, "tcpshm-pingpong",
                        "shm=" + transport.equals("shm") + " payload=64 intervalUs=1000 idle=" + idle, warmupMs, measureMs,
                        scratch, work, n++, 1);
                }
            }
            // thousands of connections: what a slot costs, and one measured ping-pong among idle ones logged on from
            // helper processes
            final String memoryRow = "memory per TCP slot, 10000 slots";
            if (only == null || memoryRow.contains(only))
            {
                console.printf("  %-52s ", memoryRow);
                final BenchResult memory = ConnectionRows.slotMemory(10_000, Files.createDirectories(work.resolve("mem")));
                results.add(memory);
                console.printf(Locale.ROOT, "heap %.0f B, direct %.0f B per slot%n", memory.num("heapBytesPerSlot"),
                    memory.num("directBytesPerSlot"));
            }
            for (final boolean shmRows : new boolean[] {false, true})
            {
                for (final int crowd : crowdsOverride != null ? crowdsOverride : quick ? new int[] {0, 100, 1000} :
                    ConnectionRows.CROWDS)
                {
                    runConnections(results, shmRows, crowd, warmupMs, measureMs, scratch, work, n++);
                }
            }
            if (!noJmh && (only == null || "jmh".contains(only)))
            {
                results.addAll(jmh());
            }
        }
        finally
        {
            killAll();
            Runtime.getRuntime().removeShutdownHook(cleanup);
            ChildProcesses.deleteTree(scratch);
            ChildProcesses.deleteTree(work);
        }
        final double minutes = (System.nanoTime() - started) / 6e10;
        final Report report = new Report(results, payloads);
        final String table = report.table();
        console.println();
        console.print(table);
        final Path dir = out.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("mode", quick ? "quick" : "full");
        json.put("warmupMs", warmupMs);
        json.put("measureMs", measureMs);
        json.put("processPairsPerPingPongRow", processPairs());
        json.put("minutes", minutes);
        json.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        json.put("cores", Runtime.getRuntime().availableProcessors());
        final List<Object> rows = new ArrayList<>();
        for (final BenchResult r : results)
        {
            rows.add(r.fields());
        }
        json.put("results", rows);
        Files.writeString(dir.resolve("results.json"),
            BenchResult.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("table.txt"), table, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("rtt-percentiles.svg"), Chart.svg(
            "Ping-pong round trip, " + mid + "-byte payload, two processes", report.chartRows(mid)), StandardCharsets.UTF_8);
        console.printf("results: %s (results.json, table.txt, rtt-percentiles.svg); %.1f minutes%n", dir, minutes);
        return 0;
    }

    private void run(final List<BenchResult> results, final String name, final String scenario, final String args,
        final long warmupMs, final long measureMs, final Path scratch, final Path work, final int index)
        throws Exception
    {
        run(results, name, scenario, args, warmupMs, measureMs, scratch, work, index,
            scenario.endsWith("pingpong") ? processPairs() : 1);
    }

    /**
     * Runs one row: {@code pairs} server/client process pairs one after the other, each with fresh
     * files, a full warm-up and {@code measureMs / pairs} of measurement; a round-trip row adds their
     * histograms. One pair's p50 depends on where its fresh mappings happen to land (two runs of the
     * same row differ by up to 25% on the development machine), so a row of several pairs estimates
     * the transport rather than one placement.
     */
    private void run(final List<BenchResult> results, final String name, final String scenario, final String args,
        final long warmupMs, final long measureMs, final Path scratch, final Path work, final int index, final int pairs)
        throws Exception
    {
        if (only != null && !name.contains(only))
        {
            return;
        }
        console.printf("  %-52s ", name);
        console.flush();
        if (scenario.equals(CFloor.SCENARIO))
        {
            if (cFloor == null)
            {
                cFloor = CFloor.build(Files.createDirectories(work.resolve("c-floor")));
            }
            if (!cFloor.available())
            {
                skip(results, name, cFloor.skipped());
                return;
            }
        }
        final List<BenchResult> parts = new ArrayList<>();
        try
        {
            for (int pair = 0; pair < pairs; pair++)
            {
                parts.add(runPair(name, scenario, args, warmupMs, measureMs / pairs, scratch, work, index + "-" + pair));
            }
        }
        catch (final IllegalStateException ex)
        {
            // one row that fails (a side that hangs or dies) is reported with its reason; the run goes on
            killAll();
            results.add(new BenchResult(BenchResult.SKIPPED, name).put("reason",
                "failed: " + ex.getMessage().lines().findFirst().orElse("")));
            console.println("  " + ex.getMessage().replace("\n", "\n  "));
            return;
        }
        addRow(results, parts);
    }

    /**
     * A row of the echo programs ({@link EchoRows}) from {@code pairs} process pairs, or a skipped row where the
     * programs are not on the class path.
     */
    private void runEcho(final List<BenchResult> results, final String name, final boolean shm, final boolean crashSafe,
        final long warmupMs, final long measureMs, final Path scratch, final Path work, final int index, final int pairs)
        throws Exception
    {
        if (only != null && !name.contains(only))
        {
            return;
        }
        console.printf("  %-52s ", name);
        console.flush();
        final String unavailable = EchoRows.unavailable();
        if (unavailable != null)
        {
            skip(results, name, unavailable);
            return;
        }
        final List<BenchResult> parts = new ArrayList<>();
        for (int pair = 0; pair < pairs; pair++)
        {
            final Path shmDir = Files.createDirectories(scratch.resolve("s" + index + "-" + pair));
            final Path dir = Files.createDirectories(work.resolve("w" + index + "-" + pair));
            parts.add(EchoRows.runPair(name, shm, crashSafe, javaPrefix("echo", List.of()), warmupMs, measureMs / pairs,
                dir, shmDir, this::startProcess));
            ChildProcesses.deleteTree(shmDir);
        }
        addRow(results, parts);
    }

    /** A {@link ConnectionRows} row, or a skipped one where this process's descriptor limit is too low for it. */
    private void runConnections(final List<BenchResult> results, final boolean shm, final int crowd, final long warmupMs,
        final long measureMs, final Path scratch, final Path work, final int index) throws Exception
    {
        final String name = ConnectionRows.name(shm, crowd);
        if (only != null && !name.contains(only))
        {
            return;
        }
        console.printf("  %-52s ", name);
        console.flush();
        final String unavailable = ConnectionRows.unavailable(shm, crowd);
        if (unavailable != null)
        {
            skip(results, name, unavailable);
            return;
        }
        final Path shmDir = Files.createDirectories(scratch.resolve("s" + index));
        final Path dir = Files.createDirectories(work.resolve("w" + index));
        final BenchResult r = ConnectionRows.run(name, shm, crowd, warmupMs, measureMs, dir, shmDir, this);
        ChildProcesses.deleteTree(shmDir);
        addRow(results, List.of(r));
    }

    /** A row that cannot run here: said on the console and kept in the results with its reason. */
    private void skip(final List<BenchResult> results, final String name, final String reason)
    {
        console.println("skipped: " + reason);
        results.add(new BenchResult(BenchResult.SKIPPED, name).put("reason", reason));
    }

    /** Adds a row measured by one or more process pairs (round trips added) and prints its headline. */
    private void addRow(final List<BenchResult> results, final List<BenchResult> parts)
    {
        final BenchResult r = parts.size() == 1 ? parts.get(0) : BenchResult.mergeRtt(parts);
        results.add(r);
        if (BenchResult.RTT.equals(r.get("kind")))
        {
            console.printf(Locale.ROOT, "p50 %8.2f us  p99.9 %8.2f us%s%n", r.num("p50Ns") / 1e3, r.num("p999Ns") / 1e3,
                parts.size() == 1 ? "" : "  (" + parts.size() + " process pairs)");
        }
        else
        {
            console.printf(Locale.ROOT, "%8.2f M msg/s%n", r.num("msgsPerSec") / 1e6);
        }
    }

    /**
     * An A/B's order of rows in a pair: on, off in odd pairs; off, on in even ones, so that neither side always runs
     * first.
     */
    private static boolean onFirst(final int pair)
    {
        return pair % 2 == 1;
    }

    private int processPairs()
    {
        return pairsOverride != null ? pairsOverride : quick ? 1 : 3;
    }

    private BenchResult runPair(final String name, final String scenario, final String args, final long warmupMs,
        final long measureMs, final Path scratch, final Path work, final String id) throws Exception
    {
        final Path shmDir = Files.createDirectories(scratch.resolve("s" + id));
        final Path dir = Files.createDirectories(work.resolve("w" + id));
        final Path result = dir.resolve("result.json");
        final List<String> common = new ArrayList<>(List.of(args.split(" ")));
        common.addAll(nodeOpts);
        common.add("name=" + name);
        common.add("shmDir=" + shmDir);
        common.add("dir=" + dir);
        common.add("warmupMs=" + warmupMs);
        common.add("measureMs=" + measureMs);
        common.add("aeronDir=" + shmDir.resolve("aeron"));
        common.add("result=" + result);
        final boolean receiverMeasures = scenario.endsWith("stream");
        final Process server = start(scenario, "server", common, dir.resolve("server.log"));
        final String ready = awaitReady(server, dir.resolve("server.log"));
        final List<String> clientArgs = new ArrayList<>(common);
        clientArgs.add("port=" + ready);
        final Process client = start(scenario, "client", clientArgs, dir.resolve("client.log"));
        final Process measuring = receiverMeasures ? server : client;
        final long timeout = warmupMs + measureMs + 60_000;
        final boolean done = measuring.waitFor(timeout, TimeUnit.MILLISECONDS);
        final double idleCpu = done && args.contains("idle=") ? idleCpuPercent(server) : Double.NaN;
        server.destroyForcibly().waitFor();
        client.destroyForcibly().waitFor();
        if (!done || !Files.exists(result))
        {
            console.println("FAILED");
            throw new IllegalStateException(name + " produced no result" + (done ? "" : " (timed out)") + ":\n" +
                Files.readString(dir.resolve("client.log")) + Files.readString(dir.resolve("server.log")));
        }
        ChildProcesses.deleteTree(shmDir); // a pair's rings and files are not needed once it has measured
        final BenchResult r = scenario.equals(CFloor.SCENARIO) ? CFloor.readResult(result, name) :
            BenchResult.fromJson(Files.readString(result, StandardCharsets.UTF_8));
        return Double.isNaN(idleCpu) ? r : r.put("serverIdleCpuPercent", idleCpu);
    }

    /**
     * The CPU a server process uses while nothing arrives (its client has gone), in percent of one core: its
     * total CPU time over {@link #IDLE_CPU_MS} after a settling pause, read from the operating system.
     */
    private static double idleCpuPercent(final Process server) throws InterruptedException
    {
        Thread.sleep(500); // the client has exited: let the server end the session and settle
        final long before = cpuNanos(server);
        final long t0 = System.nanoTime();
        Thread.sleep(IDLE_CPU_MS);
        final long after = cpuNanos(server);
        return before < 0 || after < 0 ? Double.NaN : 100.0 * (after - before) / (System.nanoTime() - t0);
    }

    private static long cpuNanos(final Process p)
    {
        return p.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    private Process start(final String scenario, final String role, final List<String> args, final Path log)
        throws IOException
    {
        final List<String> cmd = scenario.equals(CFloor.SCENARIO) ? cFloor.command(role, args) :
            javaCommand(scenario, role, args);
        return startProcess(cmd, log, !role.equals("client"));
    }

    /** Starts a side with its stderr (and stdout, unless the caller reads it) in {@code log}; killed at the end. */
    Process startProcess(final List<String> cmd, final Path log, final boolean keepStdout) throws IOException
    {
        final ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (!keepStdout)
        {
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        }
        final Process p = pb.start();
        synchronized (running)
        {
            running.add(p);
        }
        return p;
    }

    /** The command line of a Java side: {@link BenchNode} in a JVM of its own, with this run's class path. */
    List<String> javaCommand(final String scenario, final String role, final List<String> args)
    {
        final List<String> cmd = javaPrefix(scenario, args);
        cmd.add(BenchNode.class.getName());
        cmd.add(scenario);
        cmd.add(role);
        cmd.addAll(args);
        return cmd;
    }

    /** The JVM of a side, its options and this run's class path: the same for every Java row. */
    private List<String> javaPrefix(final String scenario, final List<String> args)
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xms256m");
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(jvmOpts);
        if (args.contains("counters=off"))
        {
            cmd.add("-Dtcpshm.counters=false"); // see ConnectionStats: the JIT removes the counter updates
        }
        if (scenario.startsWith("aeron"))
        {
            // Agrona 2 (inside aeron-all) reaches the JDK's internal Unsafe; tcpshm itself needs no flag
            cmd.add("--add-exports");
            cmd.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        return cmd;
    }

    static String awaitReady(final Process server, final Path log) throws IOException
    {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        final String line = reader.readLine();
        if (line == null || !line.startsWith("READY "))
        {
            throw new IllegalStateException("server did not start: " + line + "\n" + Files.readString(log));
        }
        drainInBackground(reader);
        return line.substring(6).trim();
    }

    /**
     * Reads and drops the rest of a server's output on a daemon thread, so that the server never blocks on a full
     * pipe.
     *
     * @param reader the server's stdout, past the lines the caller needed.
     */
    static void drainInBackground(final BufferedReader reader)
    {
        final Thread drain = new Thread(() ->
        {
            try
            {
                while (reader.readLine() != null)
                {
                    // discard
                }
            }
            catch (final IOException ignore)
            {
                // process ended
            }
        });
        drain.setDaemon(true);
        drain.start();
    }

    private List<BenchResult> jmh() throws Exception
    {
        console.printf("  %-52s ", "JMH micro-benchmarks (-prof gc)");
        console.flush();
        final Options options = new OptionsBuilder()
            // JMH takes regular expressions: "\\." after a class name keeps ConnectionBenchmarks from matching its
            // subclasses (ConnectionBenchmarksMBeanServer is for runs by hand, not for this table)
            .include(io.tcpshm.bench.jmh.QueueBenchmarks.class.getName() + "\\.")
            .include(io.tcpshm.bench.jmh.ConnectionBenchmarks.class.getName() + "\\.")
            .include(io.tcpshm.bench.jmh.ConnectionBenchmarksCountersOff.class.getName() + "\\.")
            .include(io.tcpshm.bench.jmh.ConnectionBenchmarksMXBeans.class.getName() + "\\.")
            .addProfiler("gc")
            .forks(1)
            .warmupIterations(quick ? 2 : 3)
            .warmupTime(TimeValue.milliseconds(quick ? 500 : 2000))
            .measurementIterations(quick ? 2 : 5)
            .measurementTime(TimeValue.milliseconds(quick ? 500 : 2000))
            .jvmArgs("-Xms256m", "-Xmx256m")
            .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
            .build();
        final Collection<RunResult> runs = new Runner(options).run();
        final List<BenchResult> rows = new ArrayList<>();
        for (final RunResult run : runs)
        {
            final String label = run.getParams().getBenchmark();
            final String shortName = label.substring(label.lastIndexOf('.') + 1);
            final boolean countersOff = label.contains("CountersOff.");
            final boolean mxBeansOn = label.contains("MXBeans.");
            final String transport = run.getParams().getParam("transport");
            final BenchResult r = new BenchResult(BenchResult.JMH, "jmh " + shortName +
                (transport == null ? "" : " " + transport) + (countersOff ? ", counters off" : "") +
                (mxBeansOn ? ", mxbeans on" : ""));
            r.put("nsPerOp", run.getPrimaryResult().getScore());
            r.put("nsPerOpError", run.getPrimaryResult().getScoreError());
            for (final String key : run.getSecondaryResults().keySet())
            {
                if (key.endsWith("gc.alloc.rate.norm"))
                {
                    final Result<?> allocation = run.getSecondaryResults().get(key);
                    r.put("bytesPerOp", allocation.getScore());
                }
            }
            rows.add(r);
        }
        console.println("done");
        return rows;
    }

    private void killAll()
    {
        synchronized (running)
        {
            for (final Process p : running)
            {
                p.destroyForcibly();
            }
            running.clear();
        }
    }

}
