package io.tcpshm.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The echo server and echo client processes of one chaos mode: their command lines, their current incarnations and
 * logs (one log per incarnation, numbered, so that every log survives the kills for the final checks), killing them
 * and stopping them.
 */
final class ChaosPeers
{
    private final Path dir;
    private final ChaosCommand.ClientMode clientMode;
    private final Random random;
    private final ChaosCommand.Result r;
    private final ChildLauncher launcher;
    private final List<String> serverArgs;
    private final List<String> clientBase;
    private Process server;
    private Process client;
    private Path serverLog;
    private Path clientLog;

    /**
     * Picks a free port and builds the command lines; starts nothing.
     *
     * @param dir        the mode's work directory: the logs and the server's PTCP files go there.
     * @param clientDir  the client's PTCP and counters directory.
     * @param shmDir     where the SHM rings go.
     * @param shm        true for the SHM transport, false for TCP.
     * @param clientMode how the client sends; with mixed, each incarnation draws one from {@code random}.
     * @param random     the mode's seeded random, shared with the kill schedule so that a seed replays the run.
     * @param r          the mode's result: the incarnations are counted in it.
     * @param launcher   starts the child JVMs.
     * @throws IOException when no free port can be found.
     */
    ChaosPeers(final Path dir, final Path clientDir, final Path shmDir, final boolean shm,
        final ChaosCommand.ClientMode clientMode, final Random random, final ChaosCommand.Result r,
        final ChildLauncher launcher) throws IOException
    {
        this.dir = dir;
        this.clientMode = clientMode;
        this.random = random;
        this.r = r;
        this.launcher = launcher;
        final int port = ChildProcesses.freePort();
        final String[] common = {"--port", String.valueOf(port), "--shm-dir", shmDir.toString()};
        serverArgs = new ArrayList<>(List.of("echo-server", "--host", "127.0.0.1", "--ptcp-dir",
            dir.resolve("server").toString()));
        serverArgs.addAll(List.of(common));
        clientBase = new ArrayList<>(List.of("echo-client", "--ptcp-dir", clientDir.toString(),
            shm ? "--shm" : "--tcp"));
        clientBase.addAll(List.of(common));
    }

    /**
     * Starts a new server incarnation with a log of its own.
     *
     * @throws IOException when the process cannot be started.
     */
    void startServer() throws IOException
    {
        serverLog = dir.resolve(String.format("server-%04d.log", r.serverIncarnations++));
        server = launcher.start(serverArgs, serverLog);
    }

    /**
     * Starts a new client incarnation with a log of its own, which begins with the client's arguments (its mode).
     *
     * @throws IOException when the log cannot be written or the process cannot be started.
     */
    void startClient() throws IOException
    {
        final List<String> a = new ArrayList<>(clientBase);
        a.add("--mode");
        a.add(clientMode == ChaosCommand.ClientMode.mixed ?
            (random.nextBoolean() ? "stream" : "ping_pong") : clientMode.name());
        clientLog = dir.resolve(String.format("client-%04d.log", r.clientIncarnations++));
        Files.writeString(clientLog, String.join(" ", a) + "\n", StandardCharsets.UTF_8);
        client = launcher.start(a, clientLog);
    }

    /**
     * @return the current client incarnation's log.
     */
    Path clientLog()
    {
        return clientLog;
    }

    /**
     * SIGKILLs the client, the server or both and waits for them to die.
     *
     * @param k          the number of the kill, for the message.
     * @param killClient true to kill the client.
     * @param killServer true to kill the server.
     * @throws ChaosFailure         when a process did not die within 10 s.
     * @throws InterruptedException when interrupted while waiting.
     */
    void kill(final int k, final boolean killClient, final boolean killServer)
        throws ChaosFailure, InterruptedException
    {
        if (killClient)
        {
            client.destroyForcibly();
        }
        if (killServer)
        {
            server.destroyForcibly();
        }
        if (killClient && !client.waitFor(10, TimeUnit.SECONDS) ||
            killServer && !server.waitFor(10, TimeUnit.SECONDS))
        {
            throw new ChaosFailure("kill " + k + ": a process did not die within 10 s of SIGKILL");
        }
    }

    /**
     * Both processes must be alive between kills: one that exits by itself has failed.
     *
     * @throws ChaosFailure when the client or the server has exited.
     */
    void checkAlive() throws ChaosFailure
    {
        if (!client.isAlive())
        {
            throw new ChaosFailure("the client exited by itself with " + client.exitValue() + "\n" + tails());
        }
        if (!server.isAlive())
        {
            throw new ChaosFailure("the server exited by itself with " + server.exitValue() + "\n" + tails());
        }
    }

    /**
     * Stops the client with SIGTERM: it stops sending, drains, and exits 0 only when every number came back exactly
     * once, in order.
     *
     * @return the client's exit code.
     * @throws ChaosFailure         when the client did not stop within 30 s.
     * @throws InterruptedException when interrupted while waiting.
     */
    int terminateClient() throws ChaosFailure, InterruptedException
    {
        client.destroy();
        if (!client.waitFor(30, TimeUnit.SECONDS))
        {
            throw new ChaosFailure("the client did not stop within 30 s of SIGTERM\n" + tails());
        }
        return client.exitValue();
    }

    /**
     * @return the last lines of the current client and server logs, for a failure message.
     */
    String tails()
    {
        return "  last client log " + clientLog + ":\n" + ChildProcesses.tail(clientLog) + "  last server log " +
            serverLog + ":\n" + ChildProcesses.tail(serverLog);
    }

    /**
     * Stops whatever is still running, politely first (SIGTERM), then with SIGKILL.
     *
     * @throws InterruptedException when interrupted while waiting.
     */
    void stopAll() throws InterruptedException
    {
        for (final Process p : new Process[] {client, server})
        {
            if (p != null && p.isAlive())
            {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS))
                {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
