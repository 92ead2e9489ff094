package io.tcpshm.samples;

import io.tcpshm.DisconnectReason;
import io.tcpshm.LoginRequest;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.ServerHandler;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import io.tcpshm.TcpShmServer;
import io.tcpshm.tools.ShutdownHooks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The echo server: answers every message with the same type and payload, popping before it pushes
 * (so the reply carries the ack), exactly once even when killed between the two ({@link
 * EchoJournal}). Serves TCP and SHM clients; polls from one thread for
 * everything ({@code --threads 1}, the default, right for a 2-core machine) or spreads the control
 * poll and the groups over several threads. Stops cleanly on SIGTERM/SIGINT.
 */
@Command(name = "echo-server", mixinStandardHelpOptions = true,
    description = "Echo server: answers each message with the same type and payload. Interoperates with the C++ "
        + "tcpshm echo client.")
public final class EchoServerCommand implements Callable<Integer>, ServerHandler
{
    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "12345", description = "Port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--name", defaultValue = "srv", description = "Server name (default ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--ptcp-dir", defaultValue = "tcpshm-data/server",
        description = "Directory of the queue files (default ${DEFAULT-VALUE}).")
    Path ptcpDir;

    @Option(names = "--threads", defaultValue = "1",
        description = "Polling threads: 1 polls everything from one thread; N spreads the control poll and the groups "
            + "over N threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--quiet", description = "Print only errors.")
    boolean quiet;

    // the bench's exactly-once A/B: what the reply journal costs per message; a kill between a pop and its push then
    // loses that reply
    @Option(names = "--no-journal", hidden = true,
        description = "Reply without the journal (no crash safety; for the bench's A/B).")
    boolean noJournal;

    @Mixin
    ConfigOptions configOptions;

    /** A power of two: the turns of a polling loop per clock read, and per control poll when it shares the thread. */
    static final int SLOW_TURNS = 1024;
    /**
     * A power of two: the turns between checks of how long ago the shared thread's control poll ran. Turns can be
     * slow (a group of thousands of busy TCP connections reads some of them directly in every turn, microseconds
     * each), and 1024 of them would space the control polls, and with them the logins, by milliseconds: 2000
     * connections took 37-53 s instead of 4 to log on again after a server restart. One clock read in 64 turns
     * is what a fast turn pays for it.
     */
    static final int CONTROL_CHECK_TURNS = 64;
    /** The longest pause between two control polls of a shared thread, ns. */
    static final long CONTROL_PERIOD_NS = 250_000;

    private final PrintStream out = System.out;
    private volatile boolean running = true;
    private volatile int listeningPort = -1;
    private final java.util.concurrent.atomic.AtomicBoolean serverStopped = new java.util.concurrent.atomic.AtomicBoolean();
    private final CountDownLatch started = new CountDownLatch(1);
    private TcpShmServer server;
    /** One reply journal per client name (a name is polled by one thread at a time). */
    private final java.util.Map<String, EchoJournal> journals = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public Integer call() throws Exception
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("--threads must be at least 1");
        }
        final TcpShmConfig config = configOptions.toConfig();
        server = new TcpShmServer(name, ptcpDir, config, this);
        if (!server.start(host, port))
        {
            started.countDown();
            return 1;
        }
        listeningPort = server.localPort();
        started.countDown();
        // polling work: index 0 is the control poll, then every TCP group, then every SHM group, dealt out in turn
        final List<List<Integer>> perThread = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            perThread.add(new ArrayList<>());
        }
        final int works = 1 + config.maxTcpGroups() + config.maxShmGroups();
        for (int i = 0; i < works; i++)
        {
            perThread.get(i % threads).add(i);
        }
        final CountDownLatch finished = new CountDownLatch(threads);
        final List<Thread> pollers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final List<Integer> mine = perThread.get(t);
            final boolean control = mine.contains(0);
            final int[] tcpGroups = mine.stream().filter(i -> i >= 1 && i <= config.maxTcpGroups())
                .mapToInt(i -> i - 1).toArray();
            final int[] shmGroups = mine.stream().filter(i -> i > config.maxTcpGroups())
                .mapToInt(i -> i - 1 - config.maxTcpGroups()).toArray();
            final Thread thread = new Thread(() ->
            {
                try
                {
                    poll(control, tcpGroups, shmGroups);
                }
                finally
                {
                    finished.countDown();
                }
            }, "echo-server-poll-" + t);
            pollers.add(thread);
        }
        final Thread hook = new Thread(() ->
        {
            running = false;
            try
            {
                finished.await(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
            stopServerOnce();
            if (!quiet)
            {
                out.println("echo-server " + name + ": stopped");
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        if (!quiet)
        {
            out.println("echo-server " + name + ": listening on " + host + ":" + server.localPort() + " (" +
                config.maxTcpGroups() + " TCP groups, " + config.maxShmGroups() + " SHM groups, " + threads + " thread" +
                (threads == 1 ? "" : "s") + ")");
        }
        for (final Thread thread : pollers)
        {
            thread.start();
        }
        for (final Thread thread : pollers)
        {
            thread.join();
        }
        stopServerOnce(); // after requestStop; on a signal the hook gets here at the same moment
        ShutdownHooks.remove(hook);
        return 0;
    }

    /**
     * One polling thread's loop. The message polls run on every turn; the clock (whole seconds, the unit of the
     * timeouts) is read on one turn in {@value #SLOW_TURNS}, and so is the control poll when the thread also polls
     * messages: every control poll may make system calls (accepts, logins, the SHM heartbeat links), and one in the
     * middle of a round trip adds its time to that round trip. The control poll also runs once
     * {@value #CONTROL_PERIOD_NS} ns have passed since the last (looked at every {@value #CONTROL_CHECK_TURNS} turns),
     * so that logins keep pace when thousands of busy connections make each turn slow. Alone on its thread, the
     * control poll runs every turn.
     */
    private void poll(final boolean control, final int[] tcpGroups, final int[] shmGroups)
    {
        final boolean controlAlone = control && tcpGroups.length == 0 && shmGroups.length == 0;
        long nanos = System.nanoTime();
        long now = nanos / 1_000_000_000L;
        long lastControl = nanos;
        long turn = 0;
        while (running)
        {
            final boolean slowTurn = (++turn & (SLOW_TURNS - 1)) == 0;
            if (slowTurn)
            {
                nanos = System.nanoTime();
                now = nanos / 1_000_000_000L;
            }
            boolean controlNow = controlAlone || slowTurn;
            if (!controlNow && control && (turn & (CONTROL_CHECK_TURNS - 1)) == 0)
            {
                // a turn can take microseconds (thousands of busy TCP connections): keep the logins going
                nanos = System.nanoTime();
                controlNow = nanos - lastControl > CONTROL_PERIOD_NS;
            }
            if (control && controlNow)
            {
                server.pollCtl(now);
                lastControl = nanos;
            }
            for (final int group : tcpGroups)
            {
                server.pollTcp(now, group);
            }
            for (final int group : shmGroups)
            {
                server.pollShm(group);
            }
        }
    }


    /** Stops the server from whichever of the main thread and the signal's hook comes first, once. */
    private void stopServerOnce()
    {
        if (serverStopped.compareAndSet(false, true))
        {
            server.stop(); // not thread-safe itself: it unmaps files
        }
    }

    /**
     * For a server run in-process (tests): waits until it listens.
     *
     * @param timeoutMillis how long to wait.
     * @return the port it listens on, or -1 when it could not start in time.
     * @throws InterruptedException when interrupted.
     */
    int awaitListening(final long timeoutMillis) throws InterruptedException
    {
        return started.await(timeoutMillis, TimeUnit.MILLISECONDS) ? listeningPort : -1;
    }

    /** For a server run in-process (tests): stops polling; {@link #call()} then stops the server and returns. */
    void requestStop()
    {
        running = false;
    }

    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        System.err.println("echo-server " + name + ": " + message);
    }

    @Override
    public int onNewConnection(final InetSocketAddress remoteAddress, final LoginRequest login, final LoginResponse response)
    {
        return 0;
    }

    @Override
    public void onClientFileError(final TcpShmConnection conn, final String reason, final Exception cause)
    {
        System.err.println("echo-server " + name + ": " + reason);
    }

    @Override
    public void onSeqNumberMismatch(final TcpShmConnection conn, final long localAck, final long localSeqStart,
        final long localSeqEnd, final long remoteAck, final long remoteSeqStart, final long remoteSeqEnd)
    {
        System.err.println("echo-server " + name + ": sequence number mismatch with " + conn.remoteName() +
            ": local ack " + localAck + " queue [" + localSeqStart + ", " + localSeqEnd + "), client ack " + remoteAck +
            " queue [" + remoteSeqStart + ", " + remoteSeqEnd + ")");
    }

    @Override
    public void onClientLogon(final InetSocketAddress remoteAddress, final TcpShmConnection conn)
    {
        final EchoJournal journal = journal(conn);
        conn.userData(journal); // each message finds it there, with no lookup by name
        if (journal != null && journal.recover(conn) && !quiet)
        {
            out.println("echo-server " + name + ": pushed the reply to " + conn.remoteName() +
                " that a killed server had popped the request of");
        }
        if (!quiet)
        {
            out.println("echo-server " + name + ": " + conn.remoteName() + " logged on from " + conn.remoteAddress() +
                " over " + (conn.isShm() ? "SHM" : "TCP"));
        }
    }

    @Override
    public void onClientDisconnected(final TcpShmConnection conn, final DisconnectReason reason, final String detail,
        final Exception cause)
    {
        if (!quiet)
        {
            out.println("echo-server " + name + ": " + conn.remoteName() + " disconnected: " + reason.describe(detail));
        }
    }

    @Override
    public void onClientMsg(final TcpShmConnection conn, final MsgHeader in)
    {
        final EchoJournal journal = (EchoJournal)conn.userData(); // set at the logon, null when it could not open
        if (journal == null)
        {
            return;
        }
        final int length = in.payloadLength();
        final MsgHeader reply = conn.alloc(length);
        if (reply == null)
        {
            return; // no room: the same message is delivered again by the next poll
        }
        reply.msgType(in.msgType());
        reply.buffer().put(reply.payloadOffset(), in.buffer(), in.payloadOffset(), length);
        // pop before push, so the reply carries the ack; journalled (EchoJournal) so that a kill between the two
        // does not lose the reply: the next logon pushes it from the journal
        if (noJournal)
        {
            conn.pop();
            conn.push();
            return;
        }
        journal.begin(conn.receivePosition(), conn.sendPosition(), reply);
        conn.pop();
        conn.push();
        journal.end();
    }

    private EchoJournal journal(final TcpShmConnection conn)
    {
        final String client = conn.remoteName();
        final EchoJournal known = journals.get(client);
        if (known != null)
        {
            return known;
        }
        try
        {
            final EchoJournal journal = EchoJournal.open(ptcpDir.resolve(client + ".echo-journal"));
            journals.put(client, journal);
            return journal;
        }
        catch (final java.io.IOException ex)
        {
            System.err.println("echo-server " + name + ": cannot open the reply journal of " + conn.remoteName() +
                ": " + ex);
            conn.close();
            return null;
        }
    }
}
