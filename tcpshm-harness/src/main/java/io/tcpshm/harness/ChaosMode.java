package io.tcpshm.harness;

import io.tcpshm.samples.EchoCounters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * One mode (SHM or TCP) of the chaos run: the seeded kill schedule, the kills and restarts, the wait for each kill to
 * recover (timed, into the result) and the final checks. A kill has recovered at the first echo the client counts that
 * could only have passed through the restarted process(es); the counters file is polled about every millisecond
 * for it. Every wait is bounded by the recovery timeout and ends the mode with a {@link ChaosFailure}.
 */
final class ChaosMode
{
    private static final String[] MOMENTS = {"steady", "restart", "logon"};
    private static final String[] VICTIMS = {"client", "server", "both"};
    private static final String LOGON = "logged on to";

    private final ChaosSettings settings;
    private final Path dir;
    private final Random random;
    private final ChaosCommand.Result r;
    private final Path counters;
    private final ChaosPeers peers;
    /** The kill whose recovery is awaited (0: none), when it happened and the received count that ends it. */
    private int pendingKill;
    private long pendingKillNanos;
    private long pendingThreshold;
    private int pendingKills;
    /** The client's logons in its current log at the last kill. */
    private int logonsAtKill;

    /**
     * Creates the mode's work directory and picks its port; starts nothing.
     *
     * @param settings the command's options.
     * @param launcher starts the child JVMs.
     * @param shm      true for the SHM transport, false for TCP.
     * @param dir      the mode's work directory (logs, PTCP files, the client's counters).
     * @param shmDir   where the SHM rings go.
     * @param random   the mode's seeded random: it draws every moment, victim and delay.
     * @param r        the mode's result, filled in as the run goes; every victim and moment is tallied from 0 so
     *                 that the results show those never drawn.
     * @throws IOException when the directory cannot be created or no free port can be found.
     */
    ChaosMode(final ChaosSettings settings, final ChildLauncher launcher, final boolean shm, final Path dir,
        final Path shmDir, final Random random, final ChaosCommand.Result r) throws IOException
    {
        this.settings = settings;
        this.dir = Files.createDirectories(dir);
        this.random = random;
        this.r = r;
        for (final String v : VICTIMS)
        {
            r.victims.put(v, 0);
        }
        for (final String m : MOMENTS)
        {
            r.moments.put(m, 0);
        }
        final Path clientDir = dir.resolve("client");
        counters = clientDir.resolve("cli.echo");
        peers = new ChaosPeers(dir, clientDir, shmDir, shm, settings.clientMode(), random, r, launcher);
    }

    /**
     * Starts both sides, runs the kills, waits for the last one to recover and stops the client for the final checks.
     *
     * @throws ChaosFailure when a kill does not recover, a process exits by itself or a final check fails.
     * @throws Exception    when a process cannot be started or a file cannot be read.
     */
    void run() throws Exception
    {
        peers.startServer();
        peers.startClient();
        awaitReceivedAbove(0, System.nanoTime(), "the first echo");
        for (int k = 1; k <= settings.kills(); k++)
        {
            // the moment of this kill: after the previous kill recovered, or during its restart
            final String moment = k == 1 ? "steady" : MOMENTS[random.nextInt(10) < 6 ? 0 : random.nextInt(2) + 1];
            final String victim = VICTIMS[random.nextInt(10) < 4 ? 0 : random.nextInt(10) < 7 ? 1 : 2];
            switch (moment)
            {
                case "steady":
                    if (pendingKill != 0)
                    {
                        awaitRecovery();
                    }
                    waitPolling(System.nanoTime() + random.nextInt(settings.maxDelayMs() + 1) * 1_000_000L);
                    break;
                case "restart":
                    // a random point of the restart: JVM start, connect, login, resend, first pushes
                    waitPolling(System.nanoTime() + (long)(random.nextDouble() * restartWindowNanos()));
                    break;
                default:
                    awaitLogon();
                    waitPolling(System.nanoTime() + random.nextInt(3_000_000));
                    break;
            }
            r.moments.merge(moment, 1, Integer::sum);
            r.victims.merge(victim, 1, Integer::sum);
            kill(k, victim, moment);
            r.kills = k;
        }
        if (pendingKill != 0)
        {
            awaitRecovery();
        }
        waitPolling(System.nanoTime() + 100_000_000L);
        finish();
    }

    /**
     * Reads the final counters into the result and scans every log of the mode.
     *
     * @return the problems found, empty when none.
     * @throws IOException when a log cannot be read.
     */
    List<String> checkLogs() throws IOException
    {
        return ChaosLogs.check(dir, counters, r);
    }

    /**
     * Stops whatever is still running; called whether the run ended well or not.
     *
     * @throws InterruptedException when interrupted while waiting.
     */
    void stopAll() throws InterruptedException
    {
        peers.stopAll();
    }

    /** The restart window: about the time the last kills took to recover (JVM start dominates). */
    private long restartWindowNanos()
    {
        final List<Long> rec = r.recoveryNanos;
        if (rec.isEmpty())
        {
            return 600_000_000L;
        }
        final long[] last = rec.subList(Math.max(0, rec.size() - 9), rec.size()).stream().mapToLong(x -> x)
            .sorted().toArray();
        return Math.max(20_000_000L, last[last.length / 2] * 6 / 5);
    }

    private void kill(final int k, final String victim, final String moment) throws Exception
    {
        final boolean killClient = !victim.equals("server");
        final boolean killServer = !victim.equals("client");
        final long killNanos = System.nanoTime();
        peers.kill(k, killClient, killServer);
        final long[] c = EchoCounters.read(counters);
        if (c == null)
        {
            throw new ChaosFailure("kill " + k + ": cannot read " + counters);
        }
        if (pendingKill != 0)
        {
            r.chained++;
        }
        // the first echo that can only have passed through the restarted process(es)
        final long threshold = killClient ? c[1] : c[0];
        pendingKill = k;
        pendingKillNanos = killNanos;
        pendingThreshold = threshold;
        pendingKills++;
        logonsAtKill = killClient ? 0 : ChaosLogs.count(peers.clientLog(), LOGON);
        if (!settings.quiet())
        {
            settings.out().printf("  [%s] kill %3d: %-6s %-7s at %,d sent %,d echoed%n", r.mode, k, victim, moment,
                c[0], c[1]);
        }
        if (killServer)
        {
            peers.startServer();
        }
        if (killClient)
        {
            peers.startClient();
        }
    }

    private void awaitRecovery() throws Exception
    {
        final long deadline = pendingKillNanos + settings.recoveryTimeoutSeconds() * 1_000_000_000L;
        while (pendingKill != 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new ChaosFailure("stuck restart: kill " + pendingKill + " not recovered within " +
                    settings.recoveryTimeoutSeconds() + " s (client's received count stays at or below " +
                    pendingThreshold + ")\n" + peers.tails());
            }
            poll();
            pause();
        }
    }

    /** Waits until the client has logged on again after the last kill (its log says so). */
    private void awaitLogon() throws Exception
    {
        final long deadline = System.nanoTime() + settings.recoveryTimeoutSeconds() * 1_000_000_000L;
        while (true)
        {
            if (ChaosLogs.count(peers.clientLog(), LOGON) > logonsAtKill)
            {
                return;
            }
            if (System.nanoTime() > deadline)
            {
                throw new ChaosFailure("stuck restart: no logon within " + settings.recoveryTimeoutSeconds() +
                    " s after kill " + pendingKill + "\n" + peers.tails());
            }
            poll();
            pause();
        }
    }

    private void waitPolling(final long until) throws Exception
    {
        while (System.nanoTime() < until)
        {
            poll();
            pause();
        }
    }

    private void awaitReceivedAbove(final long threshold, final long since, final String what) throws Exception
    {
        final long deadline = since + settings.recoveryTimeoutSeconds() * 1_000_000_000L;
        while (true)
        {
            peers.checkAlive();
            final long[] c = EchoCounters.read(counters);
            if (c != null && c[1] > threshold)
            {
                return;
            }
            if (System.nanoTime() > deadline)
            {
                throw new ChaosFailure("no " + what + " within " + settings.recoveryTimeoutSeconds() + " s\n" +
                    peers.tails());
            }
            pause();
        }
    }

    /** Checks the processes and whether the pending kill has recovered. */
    private void poll() throws ChaosFailure
    {
        peers.checkAlive();
        if (pendingKill == 0)
        {
            return;
        }
        final long[] c = EchoCounters.read(counters);
        if (c != null && c[1] > pendingThreshold)
        {
            final long nanos = System.nanoTime() - pendingKillNanos;
            if (pendingKills == 1)
            {
                r.recoveryNanos.add(nanos); // a kill that hit an unrecovered restart has no time of its own
            }
            r.survived += pendingKills;
            pendingKills = 0;
            pendingKill = 0;
        }
    }

    private void finish() throws Exception
    {
        r.clientExit = peers.terminateClient();
        final List<String> problems = checkLogs();
        if (r.clientExit != 0 || !problems.isEmpty())
        {
            throw new ChaosFailure("client exit " + r.clientExit + (problems.isEmpty() ? "" : ", " + problems) +
                "\n" + peers.tails());
        }
    }

    /** Between two polls: the counters file is cheap to read, and a recovery is timed to about a millisecond. */
    private static void pause()
    {
        LockSupport.parkNanos(500_000L);
    }
}
