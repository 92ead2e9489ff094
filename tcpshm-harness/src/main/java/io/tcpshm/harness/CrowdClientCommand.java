package io.tcpshm.harness;

import io.tcpshm.ClientHandler;
import io.tcpshm.DisconnectReason;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The client side of the crowd chaos run ({@link CrowdChaosCommand}): {@code --connections} persistent TCP
 * connections in one process, each sending numbered messages to an echo server (at most {@code --window} in flight)
 * and checking that the echoes come back in order, each number once. When the server dies, every client logs on again
 * (from a pool of threads, as thousands of clients of a real gateway would) and its unacknowledged messages are sent
 * again by the library. A status file, rewritten about every 100 ms, says what the runner needs:
 * {@code connected logins sent received gaps duplicates resumed}, where {@code resumed} counts the connected clients
 * that have had an echo since their last login. Once the stop file appears it sends nothing more, collects the
 * echoes still due, writes the status with {@code done} and exits 0 only when every number came back exactly once.
 */
@Command(name = "crowd-client", hidden = true, mixinStandardHelpOptions = true,
    description = "Many persistent connections sending numbered messages to an echo server (for chaos-crowd).")
public final class CrowdClientCommand implements Callable<Integer>
{
    /** How long one client may take to log on again while the server restarts. */
    static final long LOGON_TIMEOUT_MS = 120_000;

    @Option(names = "--connections", defaultValue = "1000", description = "Clients (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--port", required = true, description = "The echo server's port.")
    int port;

    @Option(names = "--ptcp-dir", required = true, description = "Directory of the clients' files.")
    Path ptcpDir;

    @Option(names = "--status", required = true, description = "Status file, rewritten about every 100 ms.")
    Path status;

    @Option(names = "--stop", required = true, description = "When this file appears: drain and exit.")
    Path stop;

    @Option(names = "--window", defaultValue = "2", description = "Messages in flight per client (default ${DEFAULT-VALUE}).")
    int window;

    /** One persistent connection and what it has sent and seen. */
    private static final class Member implements ClientHandler
    {
        final int index;
        TcpShmClient client;
        long sent;
        long received;
        long gaps;
        long duplicates;
        boolean echoSinceLogin;
        String lastError;

        Member(final int index)
        {
            this.index = index;
        }

        @Override
        public void onSystemError(final String message, final Exception cause)
        {
            lastError = message;
        }

        @Override
        public void onLoginReject(final LoginResponse response)
        {
            lastError = "login rejected: " + response.errorMessage();
        }

        @Override
        public long onLoginSuccess(final LoginResponse response)
        {
            echoSinceLogin = false;
            return System.nanoTime() >> 30;
        }

        @Override
        public void onSeqNumberMismatch(final long localAck, final long localSeqStart, final long localSeqEnd,
            final long remoteAck, final long remoteSeqStart, final long remoteSeqEnd)
        {
            lastError = "sequence number mismatch";
            System.out.println("client " + index + ": sequence number mismatch: local ack " + localAck + " queue [" +
                localSeqStart + ", " + localSeqEnd + "), server ack " + remoteAck + " queue [" + remoteSeqStart + ", " +
                remoteSeqEnd + ")");
        }

        @Override
        public void onServerMsg(final MsgHeader header)
        {
            final long seq = header.buffer().getLong(header.payloadOffset());
            final long owner = header.buffer().getLong(header.payloadOffset() + 8);
            if (owner != index || seq > received)
            {
                gaps++;
                System.out.println("gap: client " + index + " expected " + received + " got " + seq + " of " + owner);
            }
            else if (seq < received)
            {
                duplicates++;
                System.out.println("duplicate: client " + index + " got " + seq + " again");
            }
            else
            {
                received++;
                echoSinceLogin = true;
            }
            client.connection().pop();
        }

        @Override
        public void onDisconnected(final DisconnectReason reason, final String detail, final Exception cause)
        {
            lastError = "disconnected: " + reason.describe(detail);
        }

        /** Pushes the next numbered messages while fewer than the window are in flight. */
        void send(final int window)
        {
            while (sent - received < window)
            {
                final MsgHeader m = client.connection().alloc(16);
                if (m == null)
                {
                    return;
                }
                m.msgType(1);
                m.buffer().putLong(m.payloadOffset(), sent);
                m.buffer().putLong(m.payloadOffset() + 8, index);
                client.connection().push();
                sent++;
            }
        }
    }

    @Override
    public Integer call() throws Exception
    {
        final TcpShmConfig config = TcpShmConfig.defaults();
        final Member[] members = new Member[connections];
        for (int i = 0; i < connections; i++)
        {
            members[i] = new Member(i);
            members[i].client = new TcpShmClient(String.format("crowd%05d", i), ptcpDir, config, members[i]);
        }
        final ParallelLogon logon = new ParallelLogon();
        long logins = 0;
        long lastStatus = 0;
        boolean draining = false;
        long drainDeadline = 0;
        try
        {
            while (true)
            {
                final List<TcpShmClient> out = new ArrayList<>();
                String lastError = null;
                for (final Member m : members)
                {
                    if (m.client.connection().isClosed())
                    {
                        out.add(m.client);
                        lastError = m.lastError;
                    }
                }
                if (!out.isEmpty())
                {
                    final String why = lastError;
                    logins += logon.logOn(out, false, port, LOGON_TIMEOUT_MS, () -> why);
                }
                final long now = System.nanoTime();
                for (final Member m : members)
                {
                    if (!draining)
                    {
                        m.send(window);
                    }
                    m.client.pollTcp(now >> 30);
                }
                if (now - lastStatus >= 100_000_000L)
                {
                    lastStatus = now;
                    if (!draining && Files.exists(stop))
                    {
                        draining = true;
                        drainDeadline = now + 30_000_000_000L;
                    }
                    final boolean drained = draining && allEchoed(members);
                    final boolean gaveUp = draining && now - drainDeadline > 0;
                    writeStatus(members, logins, drained || gaveUp);
                    if (drained || gaveUp)
                    {
                        return report(members, drained);
                    }
                }
            }
        }
        finally
        {
            logon.close();
            for (final Member m : members)
            {
                m.client.stop();
            }
        }
    }

    private static boolean allEchoed(final Member[] members)
    {
        for (final Member m : members)
        {
            if (m.received != m.sent)
            {
                return false;
            }
        }
        return true;
    }

    private void writeStatus(final Member[] members, final long logins, final boolean done) throws Exception
    {
        long sent = 0;
        long received = 0;
        long gaps = 0;
        long duplicates = 0;
        int connected = 0;
        int resumed = 0;
        for (final Member m : members)
        {
            sent += m.sent;
            received += m.received;
            gaps += m.gaps;
            duplicates += m.duplicates;
            if (!m.client.connection().isClosed())
            {
                connected++;
                if (m.echoSinceLogin)
                {
                    resumed++;
                }
            }
        }
        final Path tmp = status.resolveSibling(status.getFileName() + ".tmp");
        Files.writeString(tmp, "connected=" + connected + " logins=" + logins + " sent=" + sent + " received=" + received +
            " gaps=" + gaps + " duplicates=" + duplicates + " resumed=" + resumed + (done ? " done=1" : "") + "\n",
            StandardCharsets.UTF_8);
        Files.move(tmp, status, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int report(final Member[] members, final boolean drained)
    {
        long gaps = 0;
        long duplicates = 0;
        for (final Member m : members)
        {
            gaps += m.gaps;
            duplicates += m.duplicates;
            if (m.received != m.sent)
            {
                System.out.println("client " + m.index + ": sent " + m.sent + " but " + m.received + " came back (" +
                    m.lastError + ")");
            }
        }
        return drained && gaps == 0 && duplicates == 0 ? 0 : 1;
    }
}
