package io.tcpshm.samples;

import io.tcpshm.ClientHandler;
import io.tcpshm.DisconnectReason;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import io.tcpshm.tools.ShutdownHooks;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The echo client: sends the numbers of one increasing sequence in messages of type 1 to 4
 * ({@link EchoProtocol}) and checks that every number comes back exactly once and in order,
 * stopping with an error on the first gap or duplicate. Its counters live in a file in its ptcp
 * directory ({@link EchoCounters}), so a killed client resumes where it was.
 */
@Command(name = "echo-client", mixinStandardHelpOptions = true,
    description = "Echo client: sends numbered messages (types 1-4 carrying 1-4 ints) and checks each echo comes back "
        + "exactly once, in order. Interoperates with the C++ tcpshm echo server.")
public final class EchoClientCommand implements Callable<Integer>, ClientHandler
{
    /** How the client sends. */
    public enum Mode
    {
        /** Wait for each echo before sending the next; records round-trip times. */
        ping_pong,
        /** Send as fast as alloc allows; measures throughput. */
        stream
    }

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server host (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "12345", description = "Server port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--name", defaultValue = "cli", description = "Client name (default ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--ptcp-dir", defaultValue = "tcpshm-data/client",
        description = "Directory of the queue, last-server and counter files (default ${DEFAULT-VALUE}).")
    Path ptcpDir;

    @Option(names = "--shm", description = "Carry messages over shared memory (default: TCP).")
    boolean shm;

    @Option(names = "--tcp", description = "Carry messages over TCP (the default).")
    boolean tcp;

    @Option(names = "--count", defaultValue = "0",
        description = "Stop after this many messages in total, counting earlier runs (0: until SIGTERM/SIGINT).")
    long count;

    @Option(names = "--mode", defaultValue = "ping_pong",
        description = "ping_pong (RTT histogram) or stream (throughput); default ${DEFAULT-VALUE}.")
    Mode mode;

    @Option(names = "--hlog", description = "Append RTT interval histograms (HdrHistogram log) to this file.")
    Path hlog;

    @Option(names = "--quiet", description = "Print only errors and the final summary.")
    boolean quiet;

    // the bench's exactly-once A/B: what the counters file costs per message; a killed client then starts from 0
    @Option(names = "--counters-in-memory", hidden = true,
        description = "Keep the counters in memory only (no crash safety; for the bench's A/B).")
    boolean countersInMemory;

    @Mixin
    ConfigOptions configOptions;

    private final PrintStream out = System.out;
    private TcpShmClient client;
    private EchoCounters counters;
    private final Recorder rtt = new Recorder(3);
    /** The whole run's round trips, for the summary: the intervals taken for the log add up here. */
    private final Histogram total = new Histogram(3);
    private long sendTime;
    /** A push the last process may or may not have completed (see EchoCounters), or -1. */
    private long pendingPush = -1;
    private long pendingPushPosition;
    private String error;
    private volatile boolean stopping;
    private volatile int exitCode = 1;
    private long redeliveries;

    @Override
    public Integer call() throws Exception
    {
        if (shm && tcp)
        {
            throw new IllegalArgumentException("--shm and --tcp exclude each other");
        }
        final TcpShmConfig config = configOptions.toConfig();
        client = new TcpShmClient(name, ptcpDir, config, this);
        counters = countersInMemory ? EchoCounters.inMemory() : EchoCounters.open(ptcpDir.resolve(name + ".echo"));
        recover();
        final CountDownLatch done = new CountDownLatch(1);
        final Thread main = Thread.currentThread();
        final Thread hook = new Thread(() ->
        {
            // SIGTERM/SIGINT: stop sending, let the main loop collect the last echoes and print its summary, then
            // exit with its code (a JVM ending on a signal would otherwise report 143 whatever happened)
            stopping = true;
            try
            {
                if (done.await(15, TimeUnit.SECONDS))
                {
                    System.out.flush();
                    System.err.flush();
                    Runtime.getRuntime().halt(exitCode);
                }
            }
            catch (final InterruptedException ignore)
            {
                main.interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        HistogramLogWriter logWriter = null;
        try
        {
            if (hlog != null)
            {
                logWriter = new HistogramLogWriter(new PrintStream(Files.newOutputStream(hlog,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true, "UTF-8"));
                logWriter.outputLogFormatVersion();
                logWriter.outputStartTime(System.currentTimeMillis());
                logWriter.outputLegend();
            }
            final long started = System.nanoTime();
            final long startReceived = counters.received();
            final int exit = run(logWriter);
            final double seconds = (System.nanoTime() - started) / 1e9;
            final Histogram last = rtt.getIntervalHistogram();
            total.add(last);
            if (logWriter != null)
            {
                logWriter.outputIntervalHistogram(last); // the round trips since the last interval the loop wrote
            }
            summary(seconds, counters.received() - startReceived);
            exitCode = exit;
            return exit;
        }
        finally
        {
            client.stop();
            counters.close();
            if (logWriter != null)
            {
                logWriter.close();
            }
            done.countDown();
            ShutdownHooks.remove(hook);
        }
    }

    private void recover()
    {
        final long pending = counters.pending();
        if (pending >= 0)
        {
            if (pending == counters.sent())
            {
                // killed around the push of message `pending`: the queue's file tells whether it took place, once the
                // connection has its queue (resolvePendingPush); until then the pending mark stays in the file
                pendingPush = pending;
                pendingPushPosition = counters.pendingPosition();
            }
            else
            {
                counters.clearPending(); // killed after counting it: the push took place
            }
        }
        if (!quiet && (counters.sent() > 0 || counters.received() > 0))
        {
            out.println("echo-client " + name + ": resuming at message " + counters.sent() + " sent, " +
                counters.received() + " echoed");
        }
    }

    private int run(final HistogramLogWriter logWriter)
    {
        final TcpShmConnection conn = client.connection();
        long lastReport = System.nanoTime();
        long lastConnectAttempt = 0;
        long drainDeadline = 0;
        Histogram interval = null;
        long turn = 0;
        long nanos = System.nanoTime();
        while (error == null)
        {
            // The clock, and over SHM the TCP poll (heartbeats and the link's health; it may make a system call),
            // on one turn in SLOW_TURNS, or on every turn while logged off: a system call in the middle of a round
            // trip adds its time to that round trip. Over TCP the messages come through pollTcp: every turn.
            final boolean slowTurn = (++turn & (EchoServerCommand.SLOW_TURNS - 1)) == 0 || conn.isClosed();
            if (slowTurn)
            {
                nanos = System.nanoTime();
            }
            final long now = nanos / 1_000_000_000L;
            if (conn.isClosed() && nanos - lastConnectAttempt > 50_000_000L)
            {
                lastConnectAttempt = nanos;
                if (client.connect(shm, host, port, null) && !quiet)
                {
                    out.println("echo-client " + name + ": logged on to " + client.lastServerName() + " over " +
                        (shm ? "SHM" : "TCP"));
                }
            }
            if (pendingPush >= 0)
            {
                resolvePendingPush(conn);
            }
            final boolean wantMore = !stopping && (count == 0 || counters.sent() < count);
            if (wantMore)
            {
                send(conn);
            }
            else if (counters.received() >= counters.sent())
            {
                return 0;
            }
            else
            {
                if (drainDeadline == 0)
                {
                    drainDeadline = nanos + 10_000_000_000L;
                }
                else if (nanos > drainDeadline)
                {
                    System.err.println("echo-client " + name + ": " + (counters.sent() - counters.received()) +
                        " echoes still missing after 10 s");
                    return 3;
                }
            }
            if (!shm || slowTurn)
            {
                client.pollTcp(now);
            }
            if (shm)
            {
                client.pollShm();
            }
            if (slowTurn && nanos - lastReport > 250_000_000L)
            {
                lastReport = nanos;
                if (logWriter != null)
                {
                    interval = rtt.getIntervalHistogram(interval);
                    total.add(interval);
                    logWriter.outputIntervalHistogram(interval);
                }
            }
        }
        System.err.println("echo-client " + name + ": " + error);
        return 2;
    }

    /** Decides from the queue's file whether the push a killed process had begun took place. */
    private void resolvePendingPush(final TcpShmConnection conn)
    {
        final long position = conn.sendPosition();
        if (position < 0)
        {
            return; // no queue before the first connect
        }
        if (position != pendingPushPosition)
        {
            counters.endSend(pendingPush); // it did: count it
        }
        else
        {
            counters.clearPending(); // it did not: message `pendingPush` is sent as usual
        }
        pendingPush = -1;
    }

    private void send(final TcpShmConnection conn)
    {
        if (pendingPush >= 0)
        {
            return; // not before the pending push is resolved
        }
        if (mode == Mode.ping_pong)
        {
            if (counters.received() == counters.sent())
            {
                final long t0 = System.nanoTime();
                if (trySend(conn, true))
                {
                    sendTime = t0;
                }
            }
            return;
        }
        // batches of up to 64: pushMore, then push for the last; when the queue is full the poll writes what is
        // batched and takes in the acks that make room
        for (int i = 0; i < 64 && (count == 0 || counters.sent() < count); i++)
        {
            if (!trySend(conn, i == 63))
            {
                break;
            }
        }
    }

    /** Pushes message number {@code sent}, with the crash-safe counter protocol. */
    private boolean trySend(final TcpShmConnection conn, final boolean flush)
    {
        final long n = counters.sent();
        final int type = EchoProtocol.typeFor(n);
        final MsgHeader h = conn.alloc(4 * type);
        if (h == null)
        {
            return false; // no room now, or no queue before the first login
        }
        EchoProtocol.write(h, type, EchoCounters.firstNumber(n));
        counters.beginSend(n, conn.sendPosition());
        if (flush)
        {
            conn.push();
        }
        else
        {
            conn.pushMore();
        }
        counters.endSend(n);
        return true;
    }

    @Override
    public void onServerMsg(final MsgHeader header)
    {
        final String problem = EchoProtocol.problem(header);
        if (problem != null)
        {
            error = problem;
            return;
        }
        final long n = counters.received();
        final int first = EchoProtocol.first(header);
        final int type = header.msgType();
        final TcpShmConnection conn = client.connection();
        if (first == EchoCounters.firstNumber(n) && type == EchoProtocol.typeFor(n) && n < counters.sent())
        {
            counters.received(n, conn.receivePosition());
            conn.pop();
            if (mode == Mode.ping_pong && sendTime != 0)
            {
                rtt.recordValue(System.nanoTime() - sendTime);
                sendTime = 0;
            }
            return;
        }
        if (n > 0 && first == EchoCounters.firstNumber(n - 1) && type == EchoProtocol.typeFor(n - 1) &&
            conn.receivePosition() == counters.receivedPosition())
        {
            // the very echo n-1 that was counted, delivered again because the process died before its pop took effect
            // (the receive position has not moved since it was counted); one at any other position is a duplicate
            redeliveries++;
            conn.pop();
            return;
        }
        final long got = Integer.toUnsignedLong(first);
        final long expected = Integer.toUnsignedLong(EchoCounters.firstNumber(n));
        error = (Integer.compareUnsigned(first, EchoCounters.firstNumber(n)) < 0 ? "duplicate" : "gap") +
            ": expected echo of message " + n + " (number " + expected + ", type " + EchoProtocol.typeFor(n) +
            ") but got number " + got + " type " + type;
    }

    private void summary(final double seconds, final long echoed)
    {
        final Histogram h = total;
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format("echo-client %s: %d sent, %d echoed in total; this run %d echoes in %.1f s (%.0f msg/s)",
            name, counters.sent(), counters.received(), echoed, seconds, echoed / Math.max(seconds, 1e-9)));
        if (h.getTotalCount() > 0)
        {
            // nanoseconds: an SHM round trip is a few hundred, where steps of 0.1 us would hide a third of it
            sb.append(String.format("; RTT ns of %d round trips: p50 %d p90 %d p99 %d p99.9 %d max %d", h.getTotalCount(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue()));
        }
        if (redeliveries > 0)
        {
            sb.append("; ").append(redeliveries).append(" redelivery of the echo counted before a kill recognised");
        }
        out.println(sb);
    }

    @Override
    public void onSystemError(final String message, final Exception cause)
    {
        if (!quiet && !message.startsWith("Connect to"))
        {
            System.err.println("echo-client " + name + ": " + message);
        }
    }

    @Override
    public void onLoginReject(final LoginResponse response)
    {
        if (!quiet)
        {
            System.err.println("echo-client " + name + ": login rejected: " + response.errorMessage());
        }
    }

    @Override
    public long onLoginSuccess(final LoginResponse response)
    {
        return System.nanoTime() / 1_000_000_000L;
    }

    @Override
    public void onSeqNumberMismatch(final long localAck, final long localSeqStart, final long localSeqEnd,
        final long remoteAck, final long remoteSeqStart, final long remoteSeqEnd)
    {
        error = "sequence number mismatch: local ack " + localAck + " queue [" + localSeqStart + ", " + localSeqEnd +
            "), server ack " + remoteAck + " queue [" + remoteSeqStart + ", " + remoteSeqEnd + ")";
    }

    @Override
    public void onDisconnected(final DisconnectReason reason, final String detail, final Exception cause)
    {
        if (!quiet)
        {
            out.println("echo-client " + name + ": disconnected: " + reason.describe(detail));
        }
    }
}
