package io.tcpshm.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code connections} rows: the ping-pong of one client while {@code N} idle connections are logged on to the
 * same server group, from helper processes ({@link IdleClientsPeer}). Each row also reports the server's CPU time
 * per poll iteration (from its own thread's CPU clock), the time the crowd took to log on, and, after the server is
 * killed and started again on the same files, the time until every idle client is logged on again.
 *
 * <p>Descriptors: each process may hold only so many (ulimit -n). A row whose server would need more than this
 * process's limit is skipped with the figures; the crowd is spread over as many helpers as its descriptors need.
 */
final class ConnectionRows
{
    /** Idle connections of the rows. */
    static final int[] CROWDS = {0, 100, 1000, 10_000};
    /** The server's pollCtl period in iterations in these rows: logins in bulk, and still rare beside the polls. */
    static final int CTL_EVERY = 256;
    /** Descriptors a JVM holds besides its connections (jars, selectors, the listener), with room to spare. */
    static final int BASE_DESCRIPTORS = 64;

    private ConnectionRows()
    {
    }

    /**
     * @param shm SHM or TCP.
     * @param crowd the idle connections.
     * @return the row's name.
     */
    static String name(final boolean shm, final int crowd)
    {
        return (shm ? "shm" : "tcp") + " ping-pong 16B, " + crowd + " idle connections";
    }

    /**
     * Descriptors one connection takes in the server, TCP or SHM: its socket (the queue files and rings keep none: the
     * server's owner locks cover them).
     */
    static final int SERVER_DESCRIPTORS_PER_CONNECTION = 1;

    /** Descriptors one idle client takes: its socket, its owner lock, and over SHM its owner lock of the rings. */
    static int clientDescriptorsPerConnection(final boolean shm)
    {
        return shm ? 3 : 2;
    }

    /** @return this process's limit of open files (children inherit it), or -1 when it cannot be read. */
    static long descriptorLimit()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/limits")))
            {
                if (line.startsWith("Max open files"))
                {
                    final String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
        return -1;
    }

    /**
     * @return why a row cannot run here (its server would need more descriptors than the limit), or null.
     */
    static String unavailable(final boolean shm, final int crowd)
    {
        final long limit = descriptorLimit();
        final long needed = (long)(crowd + 1) * SERVER_DESCRIPTORS_PER_CONNECTION + BASE_DESCRIPTORS;
        if (limit >= 0 && needed > limit)
        {
            return "the server would need about " + needed + " file descriptors (" + SERVER_DESCRIPTORS_PER_CONNECTION +
                " per " + (shm ? "SHM" : "TCP") + " connection), the limit here is " + limit + " (ulimit -n)";
        }
        return null;
    }

    /**
     * Runs one row: server, crowd, measured client, then the crowd's return after a server restart.
     *
     * @param name the row's name.
     * @param shm SHM or TCP.
     * @param crowd idle connections.
     * @param warmupMs the measured client's warm-up.
     * @param measureMs its measurement.
     * @param dir a fresh directory (files and logs).
     * @param shmDir a fresh directory for rings.
     * @param bench starts and tracks the processes.
     * @return the row.
     * @throws Exception when a process fails.
     */
    static BenchResult run(final String name, final boolean shm, final int crowd, final long warmupMs,
        final long measureMs, final Path dir, final Path shmDir, final BenchCommand bench) throws Exception
    {
        final List<String> common = new ArrayList<>(List.of("shm=" + shm, "payload=16", "conns=" + crowd,
            "dir=" + dir, "shmDir=" + shmDir, "name=" + name, "warmupMs=" + warmupMs, "measureMs=" + measureMs));
        final Path stats = dir.resolve("server-stats.txt");
        final List<String> serverArgs = new ArrayList<>(common);
        serverArgs.add("ctlEvery=" + CTL_EVERY);
        serverArgs.add("stats=" + stats);
        Process server = bench.startProcess(bench.javaCommand("tcpshm-pingpong", "server", serverArgs),
            dir.resolve("server.log"), true);
        final String port = BenchCommand.awaitReady(server, dir.resolve("server.log"));
        final List<String> withPort = new ArrayList<>(common);
        withPort.add("port=" + port);
        final List<Process> helpers = new ArrayList<>();
        final List<BufferedReader> helperOut = new ArrayList<>();
        final long limit = descriptorLimit();
        final int perHelper = (int)Math.max(1, Math.min(crowd, ((limit < 0 ? 4096 : limit) - BASE_DESCRIPTORS) /
            clientDescriptorsPerConnection(shm)));
        final long loginStart = System.nanoTime();
        for (int first = 0; first < crowd; first += perHelper)
        {
            final List<String> args = new ArrayList<>(withPort);
            args.add("first=" + first);
            args.set(args.indexOf("conns=" + crowd), "conns=" + Math.min(perHelper, crowd - first));
            final Path log = dir.resolve("idle-" + first + ".log");
            final Process helper = bench.startProcess(bench.javaCommand("tcpshm-pingpong", "idle", args), log, true);
            helpers.add(helper);
            helperOut.add(new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.UTF_8)));
        }
        for (int h = 0; h < helpers.size(); h++)
        {
            awaitLine(helperOut.get(h), "READY", helpers.get(h), dir.resolve("idle-" + h * perHelper + ".log"));
        }
        final double loginSeconds = (System.nanoTime() - loginStart) / 1e9;
        final Path result = dir.resolve("result.json");
        final List<String> clientArgs = new ArrayList<>(withPort);
        clientArgs.add("result=" + result);
        final Process client = bench.startProcess(bench.javaCommand("tcpshm-pingpong", "client", clientArgs),
            dir.resolve("client.log"), false);
        final boolean done = client.waitFor(warmupMs + measureMs + 60_000, TimeUnit.MILLISECONDS);
        client.destroyForcibly().waitFor();
        if (!done || !Files.exists(result))
        {
            throw new IllegalStateException(name + " produced no result" + (done ? "" : " (timed out)") + ":\n" +
                Files.readString(dir.resolve("client.log")) + Files.readString(dir.resolve("server.log")));
        }
        final BenchResult r = BenchResult.fromJson(Files.readString(result, StandardCharsets.UTF_8));
        serverStats(stats, measureMs, r);
        r.put("serverRssKiB", rssKiB(server));
        long crowdRss = 0;
        for (final Process helper : helpers)
        {
            crowdRss += rssKiB(helper);
        }
        r.put("crowdRssKiB", crowdRss);
        r.put("idleConnections", crowd).put("loginSeconds", loginSeconds);
        if (crowd > 0)
        {
            // the crowd's return: the server is killed and started again on the same files and port
            server.destroyForcibly().waitFor();
            final List<String> again = new ArrayList<>(serverArgs);
            again.add("listen=" + port); // the crowd reconnects to the port it knows
            final long restart = System.nanoTime();
            server = bench.startProcess(bench.javaCommand("tcpshm-pingpong", "server", again),
                dir.resolve("server-again.log"), true);
            BenchCommand.awaitReady(server, dir.resolve("server-again.log"));
            for (int h = 0; h < helpers.size(); h++)
            {
                awaitLine(helperOut.get(h), "BACK", helpers.get(h), dir.resolve("idle-" + h * perHelper + ".log"));
            }
            r.put("reloginSeconds", (System.nanoTime() - restart) / 1e9);
        }
        server.destroyForcibly().waitFor();
        for (final Process helper : helpers)
        {
            helper.destroyForcibly().waitFor();
        }
        return r;
    }

    /** @return the resident set of a live process in KiB, from /proc (0 where it cannot be read). */
    static long rssKiB(final Process p)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc", String.valueOf(p.pid()), "status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
        return 0;
    }

    /**
     * What a server's connection slots cost before anyone logs on, measured in this JVM: a server is made with
     * {@code slots} TCP slots (the library makes each slot's objects and receive buffer up front) and the heap and
     * direct memory it added are divided by the slots.
     *
     * @param slots TCP slots of the server made.
     * @param dir an empty directory for its files.
     * @return the row: heap and direct bytes per slot, and the settings behind them.
     */
    static BenchResult slotMemory(final int slots, final Path dir)
    {
        final java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        final java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory
            .getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
            .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        final io.tcpshm.TcpShmConfig config = io.tcpshm.TcpShmConfig.builder().maxTcpConnectionsPerGroup(slots).build();
        System.gc();
        final long heap0 = memory.getHeapMemoryUsage().getUsed();
        final long direct0 = direct.getMemoryUsed();
        final io.tcpshm.TcpShmServer server = new io.tcpshm.TcpShmServer("mem", dir, config, new BaseServerHandler());
        System.gc();
        final long heap = memory.getHeapMemoryUsage().getUsed() - heap0;
        final long directBytes = direct.getMemoryUsed() - direct0;
        java.lang.ref.Reference.reachabilityFence(server);
        return new BenchResult(BenchResult.MEMORY, "memory per TCP slot, " + slots + " slots").put("slots", slots)
            .put("heapBytesPerSlot", heap / (double)slots).put("directBytesPerSlot", directBytes / (double)slots)
            .put("tcpQueueFileBytes", io.tcpshm.files.PtcpQueueDescriptor.fileLength(config.tcpQueueSize()))
            .put("tcpReceiveBufferInitialSize", config.tcpReceiveBufferInitialSize())
            .put("tcpReceiveBufferMaxSize", config.tcpReceiveBufferMaxSize());
    }

    /**
     * Reads the server's stats lines and puts its CPU time per poll iteration, and the bytes its thread allocated per
     * echo, over the last measurement period (the stats lines' own writing included, about a kilobyte a line).
     */
    private static void serverStats(final Path stats, final long measureMs, final BenchResult r) throws IOException
    {
        if (!Files.exists(stats))
        {
            return;
        }
        // the earliest line inside the last measurement period, or the one before it when that is the last line
        final List<long[]> lines = new ArrayList<>();
        for (final String line : Files.readAllLines(stats))
        {
            final String[] f = line.trim().split(" ");
            if (f.length == 4)
            {
                lines.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                    Long.parseLong(f[3])});
            }
        }
        if (lines.size() < 2)
        {
            return;
        }
        final long[] last = lines.get(lines.size() - 1);
        long[] from = lines.get(lines.size() - 2);
        for (final long[] l : lines.subList(0, lines.size() - 1))
        {
            if (last[0] - l[0] <= measureMs * 1_000_000L)
            {
                from = l;
                break;
            }
        }
        if (last[1] > from[1])
        {
            r.put("serverCpuNsPerPoll", (last[2] - from[2]) / (double)(last[1] - from[1]));
            // what the server's polling thread allocated per message: one echo per round trip of the measured client
            final double echoes = r.num("count") * (last[0] - from[0]) / (measureMs * 1e6);
            r.put("serverAllocBytesPerMsg", echoes > 0 ? (last[3] - from[3]) / echoes : Double.NaN);
        }
    }

    /** Waits for a line starting with {@code word} from a helper; fails with its log when it exits first. */
    private static void awaitLine(final BufferedReader out, final String word, final Process helper, final Path log)
        throws IOException
    {
        String line;
        while ((line = out.readLine()) != null)
        {
            if (line.startsWith(word))
            {
                return;
            }
        }
        throw new IllegalStateException("an idle-clients helper ended before " + word + " (exit " +
            (helper.isAlive() ? "none" : String.valueOf(helper.exitValue())) + "):\n" + Files.readString(log));
    }
}
