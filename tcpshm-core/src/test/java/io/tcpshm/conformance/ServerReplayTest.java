package io.tcpshm.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.tcpshm.DisconnectReason;
import io.tcpshm.LoginRequest;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.ServerHandler;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import io.tcpshm.TcpShmServer;
import io.tcpshm.internal.LoginCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our real {@link TcpShmServer} fed the captured C++ client bytes over a socket, driven like the
 * C++ harness server (reply / pop / hold modes, its own pushes, the same user clock): what it
 * answers must equal the captured server bytes outside the ignorable ranges, and the files it
 * leaves must equal the C++ server's files. Prompt acks are out of reach (see ClientReplayTest).
 */
class ServerReplayTest
{
    private final Fixtures fx = Fixtures.get();

    @TempDir
    Path tmp;

    @Test
    void freshLoginRequestsRepliesHeartbeatAndLastMessage() throws Exception
    {
        final Path dir = tmp.resolve("srv");
        try (Srv s = new Srv(fx.configBuilder("A"), dir); Replay.FakeClient c = s.client("tcp-fresh/login1.c2s.bin"))
        {
            final Fixtures.Entry s2c = fx.entry("tcp-fresh/login1.s2c.bin");
            s.login(c, s2c);
            for (final JsonNode reply : s2c.frames("app"))
            {
                c.sendNextChunk();
                s.awaitSentUpTo(c, reply);
            }
            s.tick(1002);
            s.tick(1003);
            s.awaitSentUpTo(c, s2c.frames("heartbeat").get(0));
            c.sendNextChunk(); // client heartbeat
            s.h.mode = "pop";
            c.sendNextChunk(); // type 8, popped without a reply
            s.awaitReceived(8);
            s.closeClient(c, 1);
            Fixtures.assertSameOutsideIgnorable("our server's stream", c.received(), s2c);
            assertThat(s.h.received).isEqualTo(ClientReplayTest.appMessages(fx.entry("tcp-fresh/login1.c2s.bin")));
        }
        assertFileEquals(dir.resolve("srv_cli.ptcp"), "tcp-fresh/server.srv_cli.ptcp");
    }

    @Test
    void resumeAfterClientRestartAndCrash() throws Exception
    {
        final Path dir = Files.createDirectories(tmp.resolve("srv"));
        fx.entry("tcp-fresh/server.srv_cli.ptcp").copyTo(dir);
        try (Srv s = new Srv(fx.configBuilder("A"), dir))
        {
            s.h.mode = "pop";
            final Fixtures.Entry s2c1 = fx.entry("tcp-resume/resume1.s2c.bin");
            try (Replay.FakeClient c = s.client("tcp-resume/resume1.c2s.bin"))
            {
                s.login(c, s2c1);
                c.sendNextChunk(); // the three re-sent client messages in one chunk
                s.awaitReceived(3);
                for (final JsonNode f : s2c1.frames("app"))
                {
                    s.push(f);
                }
                s.awaitSentUpTo(c, last(s2c1.frames("app")));
                s.closeClient(c, 1); // the C++ client was SIGKILLed
                Fixtures.assertSameOutsideIgnorable("our server's stream", c.received(), s2c1);
            }
            assertFileEquals(dir.resolve("srv_cli.ptcp"), "tcp-resume/server_unacked.srv_cli.ptcp");

            final Fixtures.Entry s2c2 = fx.entry("tcp-resume/resume2.s2c.bin");
            try (Replay.FakeClient c = s.client("tcp-resume/resume2.c2s.bin"))
            {
                s.login(c, s2c2);
                s.awaitSentUpTo(c, last(s2c2.frames("app"))); // the re-sent messages
                c.sendNextChunk(); // client heartbeat acking them
                Replay.await("the client's ack to release the queue", () -> s.h.conn.queuedCount() == 0, s::poll);
                s.tick(1010);
                s.awaitSentUpTo(c, s2c2.frames("heartbeat").get(0));
                s.closeClient(c, 2);
                Fixtures.assertSameOutsideIgnorable("our server's stream", c.received(), s2c2);
            }
        }
        assertFileEquals(dir.resolve("srv_cli.ptcp"), "tcp-resume/server_final.srv_cli.ptcp");
    }

    @Test
    void bigEndianSessionAndRestart() throws Exception
    {
        final Path dir = tmp.resolve("srv");
        try (Srv s = new Srv(fx.configBuilder("B"), dir); Replay.FakeClient c = s.client("tcp-bigendian/login1.c2s.bin"))
        {
            final Fixtures.Entry s2c = fx.entry("tcp-bigendian/login1.s2c.bin");
            final List<JsonNode> apps = s2c.frames("app");
            s.login(c, s2c);
            for (int i = 0; i < 3; i++)
            {
                c.sendNextChunk();
                s.awaitSentUpTo(c, apps.get(i));
            }
            s.push(apps.get(3)); // unsolicited type 30
            s.awaitSentUpTo(c, apps.get(3));
            s.tick(1005);
            s.awaitSentUpTo(c, s2c.frames("heartbeat").get(0));
            s.h.mode = "pop";
            c.sendNextChunk(); // client heartbeat
            c.sendNextChunk(); // type 9
            s.awaitReceived(4);
            s.push(apps.get(4)); // type 31, held by the client
            s.awaitSentUpTo(c, apps.get(4));
            s.closeClient(c, 1);
            Fixtures.assertSameOutsideIgnorable("our server's stream", c.received(), s2c);
        }
        assertFileEquals(dir.resolve("srv_cli.ptcp"), "tcp-bigendian/server.srv_cli.ptcp");

        try (Srv s = new Srv(fx.configBuilder("B"), dir); Replay.FakeClient c = s.client("tcp-bigendian/login2.c2s.bin"))
        {
            final Fixtures.Entry s2c = fx.entry("tcp-bigendian/login2.s2c.bin");
            s.h.mode = "pop";
            s.login(c, s2c);
            s.awaitSentUpTo(c, last(s2c.frames("app")));
            c.sendNextChunk(); // client heartbeat ack 5
            Replay.await("the client's ack to release the queue", () -> s.h.conn.queuedCount() == 0, s::poll);
            s.tick(1005);
            s.awaitSentUpTo(c, s2c.frames("heartbeat").get(0));
            s.closeClient(c, 1);
            Fixtures.assertSameOutsideIgnorable("our server's stream", c.received(), s2c);
        }
    }

    @Test
    void eightByteUserDataBothWays() throws Exception
    {
        final Path dir = tmp.resolve("srv");
        try (Srv s = new Srv(fx.configBuilder("C"), dir))
        {
            final Fixtures.Entry s2c1 = fx.entry("tcp-userdata64/login1.s2c.bin");
            s.h.rspUserData = Fixtures.hex(s2c1.frames("loginRsp").get(0).get("values").get("userData").asText());
            try (Replay.FakeClient c = s.client("tcp-userdata64/login1.c2s.bin"))
            {
                s.login(c, s2c1);
                assertThat(s.h.loginUserDataHex).containsExactly(
                    fx.entry("tcp-userdata64/login1.c2s.bin").frames("login").get(0).get("values").get("userData").asText());
                c.sendNextChunk();
                s.awaitSentUpTo(c, last(s2c1.frames("app")));
                s.h.mode = "pop";
                c.sendNextChunk();
                s.awaitReceived(2);
                s.closeClient(c, 1);
                Fixtures.assertSameOutsideIgnorable("our server's stream", c.received(), s2c1);
            }
            final Fixtures.Entry s2c2 = fx.entry("tcp-userdata64/login2.s2c.bin");
            try (Replay.FakeClient c = s.client("tcp-userdata64/login2.c2s.bin"))
            {
                s.login(c, s2c2);
                s.closeClient(c, 2);
                Fixtures.assertSameOutsideIgnorable("our server's stream", c.received(), s2c2);
            }
        }
        assertFileEquals(dir.resolve("srv_cli.ptcp"), "tcp-userdata64/server.srv_cli.ptcp");
    }

    @Test
    void rejectScenario() throws Exception
    {
        final Path dir = tmp.resolve("srv");
        try (Srv s = new Srv(fx.configBuilder("A"), dir))
        {
            // the harness server's OnNewConnection: user data 0x42 is "bad password", 0x44 is rejected without text
            s.h.rejections.put(udOf("tcp-reject/bad_password.c2s.bin"), errorOf("tcp-reject/bad_password.s2c.bin"));
            s.h.rejections.put(udOf("tcp-reject/login_reject_default.c2s.bin"), null);
            for (final String name : List.of("bad_password", "login_reject_default", "empty_client_name"))
            {
                try (Replay.FakeClient c = s.client("tcp-reject/" + name + ".c2s.bin"))
                {
                    c.sendNextChunk();
                    c.awaitEof(s::poll); // answered, then closed
                    Fixtures.assertSameOutsideIgnorable(name, c.received(), fx.entry("tcp-reject/" + name + ".s2c.bin"));
                }
            }
            assertThat(Files.exists(dir.resolve("srv_.ptcp"))).as("no file for an empty client name").isFalse();

            // a normal session, which stays logged on for the duplicate login
            final Fixtures.Entry okS2c = fx.entry("tcp-reject/ok.s2c.bin");
            final Replay.FakeClient ok = s.client("tcp-reject/ok.c2s.bin");
            s.login(ok, okS2c);
            for (final JsonNode reply : okS2c.frames("app"))
            {
                ok.sendNextChunk();
                s.awaitSentUpTo(ok, reply);
            }
            s.tick(1005);
            s.awaitSentUpTo(ok, okS2c.frames("heartbeat").get(0));
            ok.sendNextChunk();
            Fixtures.assertSameOutsideIgnorable("ok", ok.received(), okS2c);

            try (Replay.FakeClient c = s.client("tcp-reject/already_logged_on.c2s.bin"))
            {
                c.sendNextChunk();
                c.awaitEof(s::poll);
                // docs/PROTOCOL.md ("Server side of a login", step 4): we answer "Already logged on"; the C++ server's text is
                // "Already loggned on", so the errorMsg field is compared to docs/PROTOCOL.md instead
                final LoginCodec codec = new LoginCodec(s.config);
                final byte[] got = c.received();
                Fixtures.assertSameOutsideIgnorable("already_logged_on", got, fx.entry("tcp-reject/already_logged_on.s2c.bin"),
                    List.of(new int[] {codec.errorMsgOffset(), LoginCodec.ERROR_MSG_SIZE}));
                assertThat(LoginCodec.readCString(ByteBuffer.wrap(got), codec.errorMsgOffset(), LoginCodec.ERROR_MSG_SIZE))
                    .isEqualTo("Already logged on");
            }
            s.closeClient(ok, 1);
            ok.close();
            assertFileEquals(dir.resolve("srv_cli.ptcp"), "tcp-reject/server.srv_cli.ptcp");

            try (Replay.FakeClient c = s.client("tcp-reject/seq_mismatch.c2s.bin"))
            {
                c.sendNextChunk();
                c.awaitEof(s::poll);
                Fixtures.assertSameOutsideIgnorable("seq_mismatch", c.received(), fx.entry("tcp-reject/seq_mismatch.s2c.bin"));
                assertThat(s.h.mismatch).containsExactly(
                    new ClientReplayTest().harnessNumbers("tcp-reject", "server(srv): SEQMISMATCH"));
            }

            // Max client cnt: every slot of the group is taken. Our server reuses the slot of a
            // client that is logged off, so the 4 slots are taken by 4 live sessions here (in the C++
            // run c1..c3 had logged off; their slots kept their names). c1..c3 log in with frames
            // from our own encoder (checked against the captures in WriterConformanceTest).
            final List<Replay.FakeClient> live = new ArrayList<>();
            try
            {
                for (final String name : List.of("cli", "c1", "c2", "c3"))
                {
                    final LoginCodec codec = new LoginCodec(s.config);
                    final ByteBuffer login = ByteBuffer.allocate(codec.loginFrameSize()).order(s.config.byteOrder());
                    codec.encodeLogin(login, 0, 0, 0, Fixtures.hex(udOf("tcp-reject/ok.c2s.bin")), false, name, "");
                    final Replay.FakeClient c = new Replay.FakeClient(login.array(),
                        List.of(new int[] {0, login.capacity()}), s.server.localPort());
                    live.add(c);
                    c.sendNextChunk();
                    c.awaitReceived(codec.rspFrameSize(), s::poll);
                    assertThat(c.received()[codec.statusOffset()]).as(name + " logged on").isEqualTo((byte)LoginCodec.STATUS_OK);
                }
                try (Replay.FakeClient c = s.client("tcp-reject/max_client_cnt.c2s.bin"))
                {
                    c.sendNextChunk();
                    c.awaitEof(s::poll);
                    Fixtures.assertSameOutsideIgnorable("max_client_cnt", c.received(), fx.entry("tcp-reject/max_client_cnt.s2c.bin"));
                }
            }
            finally
            {
                for (final Replay.FakeClient c : live)
                {
                    c.close();
                }
            }
        }
    }

    @Test
    void shmLoginKeepsTheHeartbeatLink() throws Exception
    {
        final Path shm = Files.createDirectories(tmp.resolve("shm"));
        try (Srv s = new Srv(fx.configBuilder("A").shmDir(shm), tmp.resolve("srv"));
            Replay.FakeClient c = s.client("shm/shm_login.c2s.bin"))
        {
            final Fixtures.Entry s2c = fx.entry("shm/shm_login.s2c.bin");
            s.login(c, s2c);
            s.tick(1005);
            s.awaitSentUpTo(c, s2c.frames("heartbeat").get(0));
            c.sendNextChunk();
            s.closeClient(c, 1);
            Fixtures.assertSameOutsideIgnorable("our server's stream", c.received(), s2c,
                Fixtures.shmLinkHeartbeatAcks(s2c));
        }
    }

    @Test
    void shmReloginContinuesTheRingWhereTheCrashedServerStopped() throws Exception
    {
        final Path shm = Files.createDirectories(tmp.resolve("shm"));
        fx.entry("shm/cli_srv.shm").copyTo(shm);
        fx.entry("shm/srv_cli.shm").copyTo(shm);
        try (Srv s = new Srv(fx.configBuilder("A").shmDir(shm), tmp.resolve("srv"));
            Replay.FakeClient c = s.client("shm/shm_relogin.c2s.bin"))
        {
            s.h.mode = "pop";
            final Fixtures.Entry s2c = fx.entry("shm/shm_relogin.s2c.bin");
            s.login(c, s2c);
            final List<RecordingClientHandler.Msg> expected = new ArrayList<>();
            for (final JsonNode u : fx.entry("shm/cli_srv.shm").json.get("unconsumed"))
            {
                if (u.has("msgType"))
                {
                    expected.add(new RecordingClientHandler.Msg(u.get("msgType").asInt(), u.get("size").asInt(),
                        u.get("ackSeqRaw").asLong(), u.get("payloadHex").asText()));
                }
            }
            s.awaitReceived(expected.size());
            assertThat(s.h.received).isEqualTo(expected);
            s.closeClient(c, 1);
            Fixtures.assertSameOutsideIgnorable("our server's stream", c.received(), s2c,
                Fixtures.shmLinkHeartbeatAcks(s2c));
        }
        Fixtures.assertSameOutsideIgnorable("cli_srv ring after our server's pops", Fixtures.readFile(shm.resolve("cli_srv.shm")),
            fx.entry("shm/cli_srv.after_relogin.shm"));
    }

    // ------------------------------------------------------------------------------------- helpers

    /** Our server, polled by the test thread (pollCtl makes its system calls on every call). */
    final class Srv implements AutoCloseable
    {
        final TcpShmConfig config;
        final Handler h = new Handler();
        final TcpShmServer server;
        long now = 1000;

        Srv(final TcpShmConfig.Builder b, final Path dir)
        {
            config = b.connectionTimeout(1_000_000).newConnectionTimeout(1_000_000).ackDelay(1_000_000)
                .ackThresholdBytes(1 << 30).controlSocketPollPeriod(1).build();
            server = new TcpShmServer("srv", dir, config, h);
            assertThat(server.start("127.0.0.1", 0)).as("start; errors " + h.systemErrors).isTrue();
        }

        Replay.FakeClient client(final String c2s) throws Exception
        {
            final Fixtures.Entry e = fx.entry(c2s);
            return new Replay.FakeClient(e.bytes(), e.chunks(), server.localPort());
        }

        void poll()
        {
            server.pollCtl(now);
            for (int g = 0; g < config.maxTcpGroups(); g++)
            {
                server.pollTcp(now, g);
            }
            for (int g = 0; g < config.maxShmGroups(); g++)
            {
                server.pollShm(g);
            }
        }

        void tick(final long t)
        {
            now = t;
            poll();
        }

        /** Sends the captured login chunk and waits for the response frame (plus whatever shares its chunk). */
        void login(final Replay.FakeClient c, final Fixtures.Entry s2c)
        {
            // cleared first: an earlier login's onClientLogon set it too (and the server reuses the slot's connection
            // object), so only this login's callback can make the check below pass
            h.conn = null;
            c.sendNextChunk();
            c.awaitReceived(s2c.chunks().get(0)[1], this::poll);
            assertThat(h.conn).as("onClientLogon").isNotNull();
        }

        void awaitSentUpTo(final Replay.FakeClient c, final JsonNode frame)
        {
            c.awaitReceived(frame.get("offset").asInt() + frame.get("frameBytes").asInt(), this::poll);
        }

        void awaitReceived(final int n)
        {
            Replay.await(n + " client messages", () -> h.received.size() >= n, this::poll);
        }

        /** The server's own push, with the captured type and payload. */
        void push(final JsonNode f)
        {
            final byte[] payload = Fixtures.hex(f.get("payloadHex").asText());
            final MsgHeader m = h.conn.alloc(payload.length);
            assertThat(m).isNotNull();
            m.msgType(f.get("msgType").asInt());
            for (int i = 0; i < payload.length; i++)
            {
                m.buffer().put(m.payloadOffset() + i, payload[i]);
            }
            h.conn.push();
        }

        /** Closes the captured client's socket and waits until our server reports the disconnect. */
        void closeClient(final Replay.FakeClient c, final int disconnects)
        {
            c.closeSocket();
            Replay.await("onClientDisconnected", () -> h.disconnects >= disconnects, this::poll);
            assertThat(h.systemErrors).as("system errors").isEmpty();
        }

        @Override
        public void close()
        {
            server.stop();
        }
    }

    /** The C++ harness server's behaviour: reply / pop / hold, response user data 0x52, rejections by user data. */
    final class Handler implements ServerHandler
    {
        final List<String> systemErrors = new ArrayList<>();
        final List<RecordingClientHandler.Msg> received = new ArrayList<>();
        final List<String> loginUserDataHex = new ArrayList<>();
        final Map<String, String> rejections = new HashMap<>();
        byte[] rspUserData = Fixtures.hex(fx.entry("tcp-fresh/login1.s2c.bin").frames("loginRsp").get(0)
            .get("values").get("userData").asText());
        String mode = "reply";
        TcpShmConnection conn;
        int disconnects;
        long[] mismatch;

        @Override
        public void onSystemError(final String message, final Exception cause)
        {
            systemErrors.add(message);
        }

        @Override
        public int onNewConnection(final InetSocketAddress remoteAddress, final LoginRequest login, final LoginResponse response)
        {
            final byte[] ud = new byte[login.userDataLength()];
            for (int i = 0; i < ud.length; i++)
            {
                ud[i] = login.userData().get(login.userDataOffset() + i);
            }
            final String udHex = Fixtures.hex(ud);
            loginUserDataHex.add(udHex);
            if (rejections.containsKey(udHex))
            {
                if (rejections.get(udHex) != null)
                {
                    response.errorMessage(rejections.get(udHex));
                }
                return -1;
            }
            for (int i = 0; i < rspUserData.length; i++)
            {
                response.userData().put(response.userDataOffset() + i, rspUserData[i]);
            }
            return 0;
        }

        @Override
        public void onClientFileError(final TcpShmConnection c, final String reason, final Exception cause)
        {
            systemErrors.add(reason);
        }

        @Override
        public void onSeqNumberMismatch(final TcpShmConnection c, final long localAck, final long localSeqStart,
            final long localSeqEnd, final long remoteAck, final long remoteSeqStart, final long remoteSeqEnd)
        {
            mismatch = new long[] {localAck, localSeqStart, localSeqEnd, remoteAck, remoteSeqStart, remoteSeqEnd};
        }

        @Override
        public void onClientLogon(final InetSocketAddress remoteAddress, final TcpShmConnection c)
        {
            if ("cli".equals(c.remoteName()))
            {
                conn = c;
            }
        }

        @Override
        public void onClientDisconnected(final TcpShmConnection c, final DisconnectReason reason, final String detail,
            final Exception cause)
        {
            disconnects++;
        }

        @Override
        public void onClientMsg(final TcpShmConnection c, final MsgHeader header)
        {
            final byte[] payload = new byte[header.payloadLength()];
            for (int i = 0; i < payload.length; i++)
            {
                payload[i] = header.buffer().get(header.payloadOffset() + i);
            }
            final RecordingClientHandler.Msg m = new RecordingClientHandler.Msg(header.msgType(), header.size(),
                c.isShm() ? 0 : header.ackSeq(), Fixtures.hex(payload));
            if (mode.equals("hold"))
            {
                if (received.isEmpty() || !received.get(received.size() - 1).equals(m))
                {
                    received.add(m);
                }
                return;
            }
            received.add(m);
            final int type = header.msgType();
            final int len = header.payloadLength();
            c.pop(); // pop before pushing the reply, so the reply carries the ack
            if (mode.equals("reply"))
            {
                final byte[] reply = Fixtures.replyPayload(type, len);
                final MsgHeader r = c.alloc(reply.length);
                r.msgType(type + 100);
                for (int i = 0; i < reply.length; i++)
                {
                    r.buffer().put(r.payloadOffset() + i, reply[i]);
                }
                c.push();
            }
        }
    }

    private String udOf(final String c2s)
    {
        return fx.entry(c2s).frames("login").get(0).get("values").get("userData").asText();
    }

    private String errorOf(final String s2c)
    {
        return fx.entry(s2c).frames("loginRsp").get(0).get("values").get("errorMsg").asText();
    }

    private static JsonNode last(final List<JsonNode> list)
    {
        return list.get(list.size() - 1);
    }

    private void assertFileEquals(final Path ours, final String fixture)
    {
        Fixtures.assertSameOutsideIgnorable(ours.getFileName().toString(), Fixtures.readFile(ours), fx.entry(fixture));
    }
}
