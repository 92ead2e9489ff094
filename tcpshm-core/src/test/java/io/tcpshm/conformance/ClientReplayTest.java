package io.tcpshm.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.tcpshm.MsgHeader;
import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.internal.LoginCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our real {@link TcpShmClient} against the captured C++ server: a socket answers with the
 * captured server bytes while the test drives the client with the harness's pushes and user clock
 * (every process starts at 1000; heartbeatInterval 3). What our client writes must equal the
 * captured client bytes outside the ignorable ranges, what it delivers must be what the C++ client
 * received, and the files it leaves must equal the C++ client's files.
 *
 * <p>Prompt acks are this implementation's own addition (an ack-only heartbeat soon after pops);
 * the C++ client sends none, so {@code ackDelay} and {@code ackThresholdBytes} are set out of reach
 * to make the streams comparable byte for byte.
 */
class ClientReplayTest
{
    private final Fixtures fx = Fixtures.get();

    @TempDir
    Path tmp;

    @Test
    void freshLoginRequestsRepliesHeartbeatAndLastMessage() throws Exception
    {
        final Path dir = tmp.resolve("cli");
        try (Run r = new Run("tcp-fresh/login1", "cli", dir, fx.configBuilder("A"), 1))
        {
            r.connectOk(false);
            for (int i = 0; i < 7; i++)
            {
                r.pushNext();
                r.srv.sendNextChunk();
                r.awaitPopped(i + 1);
            }
            // generatorSteps: clock 1000 -> 1002 gives no heartbeat, -> 1003 one each way
            r.tick(1002);
            r.tick(1003);
            r.expectSentUpTo(r.c2s.frames("heartbeat").get(0));
            r.srv.sendNextChunk();
            r.pushNext();
            r.finish();
            assertThat(r.h.popped).isEqualTo(appMessages(r.s2c));
        }
        assertFileEquals(dir.resolve("cli_srv.ptcp"), "tcp-fresh/client.cli_srv.ptcp");
        assertFileEquals(dir.resolve("cli.lastserver"), "tcp-fresh/cli.lastserver");
    }

    @Test
    void resumeResendsOfflinePushesAndHoldsTheServersMessages() throws Exception
    {
        final Path dir = tmp.resolve("cli");
        Files.createDirectories(dir);
        fx.entry("tcp-resume/client_offline.cli_srv.ptcp").copyTo(dir);
        fx.entry("tcp-fresh/cli.lastserver").copyTo(dir);
        try (Run r = new Run("tcp-resume/resume1", "cli", dir, fx.configBuilder("A"), 1))
        {
            r.h.pop = false; // the harness's "hold" mode: front only
            r.connectOk(false);
            r.expectSentUpTo(last(r.c2s.frames("app")));
            r.srv.sendNextChunk();
            r.srv.sendNextChunk();
            r.awaitFronted(1);
            r.finish();
            assertThat(r.h.fronted).containsExactly(appMessages(r.s2c).get(0));
        }
        // the C++ client was SIGKILLed here; a clean stop must leave the same file
        assertFileEquals(dir.resolve("cli_srv.ptcp"), "tcp-resume/client_killed.cli_srv.ptcp");
    }

    @Test
    void resumeAfterCrashReceivesTheResentMessages() throws Exception
    {
        final Path dir = tmp.resolve("cli");
        Files.createDirectories(dir);
        fx.entry("tcp-resume/client_killed.cli_srv.ptcp").copyTo(dir);
        fx.entry("tcp-fresh/cli.lastserver").copyTo(dir);
        try (Run r = new Run("tcp-resume/resume2", "cli", dir, fx.configBuilder("A"), 1))
        {
            r.connectOk(false); // the response shares its chunk with the two re-sent messages
            r.awaitPopped(2);
            r.tick(1010);
            r.expectSentUpTo(r.c2s.frames("heartbeat").get(0));
            r.srv.sendNextChunk();
            r.finish();
            assertThat(r.h.popped).isEqualTo(appMessages(r.s2c));
        }
        assertFileEquals(dir.resolve("cli_srv.ptcp"), "tcp-resume/client_final.cli_srv.ptcp");
    }

    @Test
    void bigEndianSessionAndRelogin() throws Exception
    {
        final Path dir = tmp.resolve("cli");
        try (Run r = new Run("tcp-bigendian/login1", "cli", dir, fx.configBuilder("B"), 1))
        {
            r.connectOk(false);
            for (int i = 0; i < 3; i++)
            {
                r.pushNext();
                r.srv.sendNextChunk();
                r.awaitPopped(i + 1);
            }
            r.srv.sendNextChunk(); // the server's own push, type 30
            r.awaitPopped(4);
            r.tick(1005);
            r.expectSentUpTo(r.c2s.frames("heartbeat").get(0));
            r.srv.sendNextChunk(); // server heartbeat
            r.pushNext();
            r.h.pop = false; // "hold": type 31 is fronted, not popped
            r.srv.sendNextChunk();
            r.awaitFronted(1);
            r.finish();
            final List<RecordingClientHandler.Msg> s2c = appMessages(r.s2c);
            assertThat(r.h.popped).isEqualTo(s2c.subList(0, 4));
            assertThat(r.h.fronted).containsExactly(s2c.get(4));
        }
        assertFileEquals(dir.resolve("cli_srv.ptcp"), "tcp-bigendian/client.cli_srv.ptcp");
        assertFileEquals(dir.resolve("cli.lastserver"), "tcp-bigendian/cli.lastserver");

        try (Run r = new Run("tcp-bigendian/login2", "cli", dir, fx.configBuilder("B"), 1))
        {
            r.connectOk(false);
            r.awaitPopped(1);
            r.tick(1005);
            r.expectSentUpTo(r.c2s.frames("heartbeat").get(0));
            r.srv.sendNextChunk();
            r.finish();
            assertThat(r.h.popped).isEqualTo(appMessages(r.s2c));
        }
    }

    @Test
    void eightByteUserDataBothWaysAndRelogin() throws Exception
    {
        final Path dir = tmp.resolve("cli");
        try (Run r = new Run("tcp-userdata64/login1", "cli", dir, fx.configBuilder("C"), 1))
        {
            r.connectOk(false);
            assertThat(r.h.rspUserDataHex).isEqualTo(r.s2c.frames("loginRsp").get(0).get("values").get("userData").asText());
            r.pushNext();
            r.srv.sendNextChunk();
            r.awaitPopped(1);
            r.pushNext();
            r.finish();
            assertThat(r.h.popped).isEqualTo(appMessages(r.s2c));
        }
        try (Run r = new Run("tcp-userdata64/login2", "cli", dir, fx.configBuilder("C"), 1))
        {
            r.connectOk(false);
            r.finish();
        }
        assertFileEquals(dir.resolve("cli_srv.ptcp"), "tcp-userdata64/client.cli_srv.ptcp");
    }

    @Test
    void rejectionsAreReportedWithTheServersText() throws Exception
    {
        for (final String name : List.of("bad_password", "login_reject_default", "already_logged_on", "max_client_cnt"))
        {
            final Fixtures.Entry c2s = fx.entry("tcp-reject/" + name + ".c2s.bin");
            final String clientName = c2s.frames("login").get(0).get("values").get("clientName").asText();
            try (Run r = new Run("tcp-reject/" + name, clientName, tmp.resolve(name), fx.configBuilder("A"), 1))
            {
                assertThat(r.connect(false)).as(name).isFalse();
                final JsonNode rsp = r.s2c.frames("loginRsp").get(0).get("values");
                assertThat(r.h.rspStatus).as(name).isEqualTo(rsp.get("status").asInt());
                assertThat(r.h.rspError).as(name).isEqualTo(rsp.get("errorMsg").asText());
                assertThat(r.h.rspServerName).as(name).isEqualTo(rsp.get("serverName").asText());
                assertThat(r.h.loginSuccesses).isZero();
                assertThat(r.h.mismatch).isNull();
                assertThat(rejectLine(name, clientName)).contains("error=" + r.h.rspError);
                r.finish();
            }
            assertThat(Files.exists(tmp.resolve(name).resolve(clientName + "_srv.ptcp")))
                .as(name + ": a rejected login creates no queue file").isFalse();
        }
    }

    @Test
    void sequenceMismatchIsReportedWithBothSidesNumbers() throws Exception
    {
        final Path dir = tmp.resolve("cli");
        Files.createDirectories(dir);
        fx.entry("tcp-reject/client_corrupt_ack.cli_srv.ptcp").copyTo(dir);
        final Fixtures.Entry c2s = fx.entry("tcp-reject/seq_mismatch.c2s.bin");
        writeLastServer(dir, "cli", c2s.frames("login").get(0).get("values").get("lastServerName").asText());
        try (Run r = new Run("tcp-reject/seq_mismatch", "cli", dir, fx.configBuilder("A"), 1))
        {
            assertThat(r.connect(false)).isFalse();
            assertThat(r.h.mismatch).as("onSeqNumberMismatch").isNotNull();
            assertThat(r.h.mismatch).containsExactly(harnessNumbers("tcp-reject", "client(cli): SEQMISMATCH"));
            r.finish();
        }
    }

    @Test
    void acceptedLoginOfTheRejectScenario() throws Exception
    {
        try (Run r = new Run("tcp-reject/ok", "cli", tmp.resolve("cli"), fx.configBuilder("A"), 1))
        {
            r.connectOk(false);
            for (int i = 0; i < 2; i++)
            {
                r.pushNext();
                r.srv.sendNextChunk();
                r.awaitPopped(i + 1);
            }
            r.tick(1005);
            r.expectSentUpTo(r.c2s.frames("heartbeat").get(0));
            r.srv.sendNextChunk();
            r.finish();
            assertThat(r.h.popped).isEqualTo(appMessages(r.s2c));
        }
    }

    @Test
    void shmLoginKeepsTheHeartbeatLink() throws Exception
    {
        final Path shm = Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig.Builder b = fx.configBuilder("A").shmDir(shm).controlSocketPollPeriod(1);
        try (Run r = new Run("shm/shm_login", "cli", tmp.resolve("cli"), b, 1))
        {
            r.connectOk(true);
            r.tick(1005);
            r.expectSentUpTo(r.c2s.frames("heartbeat").get(0));
            r.srv.sendNextChunk();
            r.finish();
        }
        assertFileEquals(tmp.resolve("cli").resolve("cli.lastserver"), "shm/cli.lastserver");
    }

    @Test
    void shmReloginContinuesTheRingWhereTheCrashedClientStopped() throws Exception
    {
        final Path shm = Files.createDirectories(tmp.resolve("shm"));
        final Path dir = Files.createDirectories(tmp.resolve("cli"));
        fx.entry("shm/cli.lastserver").copyTo(dir);
        fx.entry("shm/cli_srv.shm").copyTo(shm);
        fx.entry("shm/srv_cli.shm").copyTo(shm);
        final TcpShmConfig.Builder b = fx.configBuilder("A").shmDir(shm).controlSocketPollPeriod(1);
        try (Run r = new Run("shm/shm_relogin", "cli", dir, b, 1))
        {
            r.connectOk(true);
            final List<RecordingClientHandler.Msg> expected = new ArrayList<>();
            for (final JsonNode u : fx.entry("shm/srv_cli.shm").json.get("unconsumed"))
            {
                if (u.has("msgType"))
                {
                    expected.add(new RecordingClientHandler.Msg(u.get("msgType").asInt(), u.get("size").asInt(),
                        u.get("ackSeqRaw").asLong(), u.get("payloadHex").asText()));
                }
            }
            Replay.await("the two unconsumed SHM messages", () -> r.h.popped.size() >= expected.size(), r::poll);
            assertThat(r.h.popped).isEqualTo(expected);
            r.finish();
        }
        Fixtures.assertSameOutsideIgnorable("srv_cli ring after our client's pops", Fixtures.readFile(shm.resolve("srv_cli.shm")),
            fx.entry("shm/srv_cli.after_relogin.shm"));
    }

    // ------------------------------------------------------------------------------------- helpers

    /** One client session against one captured connection ({@code <scenario>/<connection>}). */
    final class Run implements AutoCloseable
    {
        final Fixtures.Entry c2s;
        final Fixtures.Entry s2c;
        final RecordingClientHandler h = new RecordingClientHandler();
        final TcpShmClient client;
        final Replay.FakeServer srv;
        final List<JsonNode> apps;
        boolean shm;
        long now = 1000;
        int nextApp;

        Run(final String connection, final String clientName, final Path dir, final TcpShmConfig.Builder config,
            final int autoChunks) throws Exception
        {
            c2s = fx.entry(connection + ".c2s.bin");
            s2c = fx.entry(connection + ".s2c.bin");
            apps = c2s.frames("app");
            final TcpShmConfig cfg = config.connectionTimeout(1_000_000).ackDelay(1_000_000).ackThresholdBytes(1 << 30)
                .loginTimeoutMillis(10_000).build();
            client = new TcpShmClient(clientName, dir, cfg, h);
            h.client = client;
            srv = new Replay.FakeServer(s2c.bytes(), s2c.chunks(), new LoginCodec(cfg).loginFrameSize(), autoChunks);
        }

        boolean connect(final boolean useShm)
        {
            shm = useShm;
            final String ud = c2s.frames("login").get(0).get("values").get("userData").asText();
            return client.connect(useShm, "127.0.0.1", srv.port(), Fixtures.hex(ud));
        }

        void connectOk(final boolean useShm)
        {
            assertThat(connect(useShm)).as("connect; system errors: " + h.systemErrors).isTrue();
            final JsonNode rsp = s2c.frames("loginRsp").get(0).get("values");
            assertThat(h.rspServerName).isEqualTo(rsp.get("serverName").asText());
            assertThat(h.rspUserDataHex).isEqualTo(rsp.get("userData").asText());
        }

        void poll()
        {
            client.pollTcp(now);
            if (shm)
            {
                client.pollShm();
            }
        }

        void tick(final long t)
        {
            now = t;
            poll();
        }

        /** Pushes the next captured client message (type and length from the capture, payload by the convention). */
        void pushNext()
        {
            final JsonNode f = apps.get(nextApp++);
            final int type = f.get("msgType").asInt();
            final int len = f.get("size").asInt() - 8;
            final MsgHeader m = client.connection().alloc(len);
            assertThat(m).as("alloc " + len).isNotNull();
            m.msgType(type);
            final byte[] payload = Fixtures.clientPayload(type, len);
            for (int i = 0; i < len; i++)
            {
                m.buffer().put(m.payloadOffset() + i, payload[i]);
            }
            client.connection().push();
            expectSentUpTo(f);
        }

        void expectSentUpTo(final JsonNode frame)
        {
            srv.awaitReceived(frame.get("offset").asInt() + frame.get("frameBytes").asInt(), this::poll);
        }

        void awaitPopped(final int n)
        {
            Replay.await(n + " popped messages", () -> h.popped.size() >= n, this::poll);
        }

        void awaitFronted(final int n)
        {
            Replay.await(n + " fronted messages", () -> h.fronted.size() >= n, this::poll);
        }

        /** Stops the client and compares everything it wrote with the captured client stream. */
        void finish()
        {
            client.stop();
            srv.awaitEof(() -> { });
            assertThat(h.systemErrors).as("system errors").isEmpty();
            Fixtures.assertSameOutsideIgnorable("our client's stream", srv.received(), c2s,
                c2s.name().startsWith("shm/") ? Fixtures.shmLinkHeartbeatAcks(c2s) : List.of());
        }

        @Override
        public void close() throws Exception
        {
            client.stop();
            srv.close();
        }
    }

    static List<RecordingClientHandler.Msg> appMessages(final Fixtures.Entry stream)
    {
        final List<RecordingClientHandler.Msg> list = new ArrayList<>();
        for (final JsonNode f : stream.frames("app"))
        {
            list.add(new RecordingClientHandler.Msg(f.get("msgType").asInt(), f.get("size").asInt(),
                f.get("ackSeq").asLong(), f.get("payloadHex").asText()));
        }
        return list;
    }

    private static JsonNode last(final List<JsonNode> list)
    {
        return list.get(list.size() - 1);
    }

    private void assertFileEquals(final Path ours, final String fixture)
    {
        Fixtures.assertSameOutsideIgnorable(ours.getFileName().toString(), Fixtures.readFile(ours), fx.entry(fixture));
    }

    private void writeLastServer(final Path dir, final String client, final String server) throws Exception
    {
        final byte[] b = new byte[fx.config("A").nameSize()];
        final byte[] s = server.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, b, 0, s.length);
        Files.write(dir.resolve(client + ".lastserver"), b);
    }

    private String rejectLine(final String connection, final String clientName)
    {
        final String who = clientName.isEmpty() ? "<empty>" : clientName;
        final List<String> lines = fx.harnessLog("tcp-reject").stream()
            .filter(l -> l.startsWith("client(" + who + "): REJECT")).toList();
        assertThat(lines).as("harness REJECT lines of " + who).isNotEmpty();
        final String err = fx.entry("tcp-reject/" + connection + ".s2c.bin").frames("loginRsp").get(0)
            .get("values").get("errorMsg").asText();
        return lines.stream().filter(l -> l.endsWith("error=" + err)).findFirst().orElse(lines.get(0));
    }

    /** The six numbers of a harness SEQMISMATCH line, in the callback's order. */
    long[] harnessNumbers(final String scenario, final String prefix)
    {
        final String line = fx.harnessLog(scenario).stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
        final long[] v = new long[6];
        final String[] keys = {"local_ack", "local_start", "local_end", "remote_ack", "remote_start", "remote_end"};
        for (int i = 0; i < keys.length; i++)
        {
            final Matcher m = Pattern.compile(keys[i] + "=(\\d+)").matcher(line);
            assertThat(m.find()).as(keys[i] + " in " + line).isTrue();
            v[i] = Long.parseLong(m.group(1));
        }
        return v;
    }
}
