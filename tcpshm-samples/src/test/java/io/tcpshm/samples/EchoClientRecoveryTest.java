package io.tcpshm.samples;

import io.tcpshm.ClientHandler;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import io.tcpshm.tools.CommandRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The echo client's recovery from a kill at each point of its send and receive protocols
 * ({@link EchoCounters}), made deterministic: a first process is played by a bare
 * {@link TcpShmClient} in this JVM that stops exactly where a SIGKILL would have hit, leaving
 * the queue and counter files as that kill would; then {@code tcpshm echo-client} resumes
 * against a real echo server and must finish with every echo counted once, or report the
 * duplicate it was given.
 */
class EchoClientRecoveryTest
{
    private static final String CLIENT = "cli";

    @TempDir
    Path tmp;

    private Path clientDir;
    private Path shmDir;
    private EchoServerCommand server;
    private Thread serverThread;
    private final AtomicReference<Throwable> serverFailure = new AtomicReference<>();
    private int port;

    @BeforeEach
    void startServer() throws Exception
    {
        clientDir = Files.createDirectories(tmp.resolve("client"));
        shmDir = Files.createDirectories(tmp.resolve("shm"));
        server = new EchoServerCommand();
        new CommandLine(server).parseArgs("--host", "127.0.0.1", "--port", "0", "--ptcp-dir",
            Files.createDirectories(tmp.resolve("server")).toString(), "--shm-dir", shmDir.toString(), "--quiet");
        serverThread = new Thread(() ->
        {
            try
            {
                server.call();
            }
            catch (final Throwable t)
            {
                serverFailure.set(t);
            }
        }, "echo-server");
        serverThread.start();
        port = server.awaitListening(10_000);
        assertThat(port).as("echo server listening").isPositive();
    }

    @AfterEach
    void stopServer() throws Exception
    {
        server.requestStop();
        serverThread.join(10_000);
        assertThat(serverThread.isAlive()).as("echo server stopped").isFalse();
        assertThat(serverFailure.get()).isNull();
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void aPushTheKilledProcessCompletedIsCountedAndNotSentAgain(final boolean shm) throws Exception
    {
        try (FirstProcess first = new FirstProcess(shm))
        {
            first.beginSendOfMessageZero().push();
            // killed here: pending = 0 = sent, and the queue holds message 0
        }
        final CommandRun run = echoClient(shm, 3);
        // sending message 0 again would bring its echo twice: the client would stop on the duplicate
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.out).contains("3 sent, 3 echoed in total").doesNotContain("redelivery");
        assertCounters(3, 3);
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void aPushTheKilledProcessDidNotMakeIsMadeByTheNextOne(final boolean shm) throws Exception
    {
        try (FirstProcess first = new FirstProcess(shm))
        {
            first.beginSendOfMessageZero();
            // killed here, before the push
        }
        final CommandRun run = echoClient(shm, 3);
        // counting message 0 as sent would leave its echo missing: the echo of 1 would be reported as a gap
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.out).contains("3 sent, 3 echoed in total");
        assertCounters(3, 3);
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void anEchoCountedButNotPoppedIsRecognisedWhenDeliveredAgain(final boolean shm) throws Exception
    {
        try (FirstProcess first = new FirstProcess(shm))
        {
            first.sendMessageZeroAndCountItsEchoWithoutPop(0);
            // killed here: received = 1, and the echo was not popped
        }
        final CommandRun run = echoClient(shm, 2);
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.out).contains("2 sent, 2 echoed in total", "1 redelivery of the echo counted before a kill");
        assertCounters(2, 2);
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void anEchoAlreadyCountedAtAnotherPositionIsADuplicate(final boolean shm) throws Exception
    {
        try (FirstProcess first = new FirstProcess(shm))
        {
            // as if echo 0 had been counted and popped at some earlier position: the one still in the queue is
            // then a second echo of message 0
            first.sendMessageZeroAndCountItsEchoWithoutPop(1000);
        }
        final CommandRun run = echoClient(shm, 2);
        assertThat(run.exit).as(run.toString()).isEqualTo(2);
        assertThat(run.err).contains("duplicate: expected echo of message 1 (number 1, type 2) but got number 0 type 1");
    }

    private CommandRun echoClient(final boolean shm, final int count)
    {
        return CommandRun.run("echo-client", shm ? "--shm" : "--tcp", "--port", String.valueOf(port), "--name", CLIENT,
            "--ptcp-dir", clientDir.toString(), "--shm-dir", shmDir.toString(), "--count", String.valueOf(count),
            "--mode", "stream", "--quiet");
    }

    private void assertCounters(final long sent, final long received)
    {
        final long[] counters = EchoCounters.read(clientDir.resolve(CLIENT + ".echo"));
        assertThat(counters).containsExactly(sent, received);
    }

    private TcpShmConfig config()
    {
        final ConfigOptions options = new ConfigOptions();
        options.shmDir = shmDir;
        return options.toConfig();
    }

    /** The process that gets killed: logged on, with the echo client's counter file open. */
    private final class FirstProcess implements AutoCloseable, ClientHandler
    {
        final TcpShmClient client;
        final EchoCounters counters;
        private final boolean shm;
        private long positionShift;
        private boolean counted;

        FirstProcess(final boolean shm) throws Exception
        {
            this.shm = shm;
            client = new TcpShmClient(CLIENT, clientDir, config(), this);
            assertThat(client.connect(shm, "127.0.0.1", port, null)).as("first process logged on").isTrue();
            counters = EchoCounters.open(clientDir.resolve(CLIENT + ".echo"));
        }

        /**
         * Allocates and writes message 0 and marks its push as begun, as the echo client does.
         *
         * @return the connection, for the push.
         */
        TcpShmConnection beginSendOfMessageZero()
        {
            final TcpShmConnection conn = client.connection();
            final MsgHeader m = conn.alloc(4 * EchoProtocol.typeFor(0));
            EchoProtocol.write(m, EchoProtocol.typeFor(0), EchoCounters.firstNumber(0));
            counters.beginSend(0, conn.sendPosition());
            return conn;
        }

        /**
         * Sends message 0 as the echo client does, polls until its echo arrives and counts it with its
         * receive position plus {@code shift}, without popping it.
         */
        void sendMessageZeroAndCountItsEchoWithoutPop(final long shift)
        {
            positionShift = shift;
            beginSendOfMessageZero().push();
            counters.endSend(0);
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (!counted && System.nanoTime() < deadline)
            {
                if (shm)
                {
                    client.pollShm();
                }
                client.pollTcp(System.nanoTime() / 1_000_000_000L);
            }
            assertThat(counted).as("echo of message 0 received").isTrue();
        }

        @Override
        public void onServerMsg(final MsgHeader header)
        {
            if (!counted)
            {
                assertThat(EchoProtocol.first(header)).isZero();
                counters.received(0, client.connection().receivePosition() + positionShift);
                counted = true;
            }
        }

        @Override
        public void close()
        {
            client.stop();
            counters.close();
        }

        @Override
        public void onSystemError(final String message, final Exception cause)
        {
        }

        @Override
        public void onLoginReject(final LoginResponse response)
        {
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
        }

    }
}
