package io.tcpshm.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.tcpshm.ConformanceViews;
import io.tcpshm.LoginRequest;
import io.tcpshm.LoginResponse;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.internal.Bits;
import io.tcpshm.internal.FrameHeader;
import io.tcpshm.internal.LoginCodec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every captured TCP stream, walked frame by frame with our codec classes ({@link FrameHeader},
 * {@link LoginCodec} layouts, the {@link LoginRequest}/{@link LoginResponse} views), must decode
 * to exactly what fixtures.json lists.
 */
class StreamParsingTest
{
    private final Fixtures fx = Fixtures.get();

    @Test
    void everyFixtureFileMatchesItsSha256()
    {
        for (final Fixtures.Entry e : fx.all())
        {
            assertThat(e.bytes()).as(e.name()).isNotNull(); // bytes() checks size and sha256
        }
    }

    @Test
    void codecLayoutsEqualTheCppLayoutsOfEachConfiguration()
    {
        for (final String letter : List.of("A", "B", "C"))
        {
            final JsonNode layout = fx.root.get("configurations").get(letter).get("derivedLayout");
            final LoginCodec codec = new LoginCodec(fx.config(letter));
            final JsonNode login = layout.get("login");
            assertThat(codec.loginMsgSize()).as(letter + " login size").isEqualTo(login.get("headerSize").asInt());
            assertThat(codec.loginFrameSize()).as(letter + " login frame").isEqualTo(login.get("frameBytes").asInt());
            final JsonNode lo = login.get("bodyFieldOffsets");
            assertThat(LoginCodec.SEQ_START_OFFSET - 8).isEqualTo(lo.get("clientSeqStart").asInt());
            assertThat(LoginCodec.SEQ_END_OFFSET - 8).isEqualTo(lo.get("clientSeqEnd").asInt());
            assertThat(codec.loginUserDataOffset() - 8).as(letter).isEqualTo(lo.get("userData").asInt());
            assertThat(codec.useShmOffset() - 8).as(letter).isEqualTo(lo.get("useShm").asInt());
            assertThat(codec.clientNameOffset() - 8).as(letter).isEqualTo(lo.get("clientName").asInt());
            assertThat(codec.lastServerNameOffset() - 8).as(letter).isEqualTo(lo.get("lastServerName").asInt());
            final JsonNode rsp = layout.get("loginRsp");
            assertThat(codec.rspMsgSize()).as(letter + " rsp size").isEqualTo(rsp.get("headerSize").asInt());
            assertThat(codec.rspFrameSize()).as(letter + " rsp frame").isEqualTo(rsp.get("frameBytes").asInt());
            final JsonNode ro = rsp.get("bodyFieldOffsets");
            assertThat(codec.rspUserDataOffset() - 8).as(letter).isEqualTo(ro.get("userData").asInt());
            assertThat(codec.statusOffset() - 8).as(letter).isEqualTo(ro.get("status").asInt());
            assertThat(codec.serverNameOffset() - 8).as(letter).isEqualTo(ro.get("serverName").asInt());
            assertThat(codec.errorMsgOffset() - 8).as(letter).isEqualTo(ro.get("errorMsg").asInt());
        }
    }

    @TestFactory
    List<DynamicTest> everyStreamDecodesToTheJson()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Fixtures.Entry e : fx.entries("tcpStream"))
        {
            tests.add(DynamicTest.dynamicTest(e.name(), () -> checkStream(e)));
        }
        return tests;
    }

    private void checkStream(final Fixtures.Entry e)
    {
        final TcpShmConfig config = e.config();
        final LoginCodec codec = new LoginCodec(config);
        final byte[] bytes = e.bytes();
        final ByteBuffer buf = ByteBuffer.wrap(bytes).order(config.byteOrder());
        final boolean c2s = e.name().endsWith(".c2s.bin");
        final long firstSeq = firstAppSeq(e, c2s);
        final JsonNode expected = e.frames();

        int offset = 0;
        int index = 0;
        long seq = firstSeq;
        while (offset < bytes.length)
        {
            assertThat(bytes.length - offset).as(e + ": a whole header at " + offset).isGreaterThanOrEqualTo(8);
            final int size = FrameHeader.size(buf, offset);
            final int type = FrameHeader.msgType(buf, offset);
            final long ack = Bits.u32(FrameHeader.ackSeq(buf, offset));
            assertThat(size).as(e + ": size at " + offset).isGreaterThanOrEqualTo(8);
            final int frameBytes = Bits.roundUp8(size);
            assertThat(offset + frameBytes).as(e + ": frame at " + offset + " inside the stream").isLessThanOrEqualTo(bytes.length);
            assertThat(index).as(e + ": more frames than fixtures.json lists").isLessThan(expected.size());
            final JsonNode f = expected.get(index);
            final String at = e + " frame @" + offset;
            final String kind;
            if (index == 0)
            {
                kind = c2s ? "login" : "loginRsp";
                assertThat(size).as(at).isEqualTo(c2s ? codec.loginMsgSize() : codec.rspMsgSize());
                assertThat(type).as(at).isEqualTo(c2s ? LoginCodec.LOGIN_TYPE : LoginCodec.LOGIN_RSP_TYPE);
                assertThat(frameBytes).as(at).isEqualTo(c2s ? codec.loginFrameSize() : codec.rspFrameSize());
            }
            else
            {
                kind = type == FrameHeader.HEARTBEAT_TYPE ? "heartbeat" : "app";
            }
            assertThat(kind).as(at + " kind").isEqualTo(f.get("kind").asText());
            assertThat(offset).as(at + " offset").isEqualTo(f.get("offset").asInt());
            assertThat(frameBytes).as(at + " frameBytes").isEqualTo(f.get("frameBytes").asInt());
            assertThat(size).as(at + " size").isEqualTo(f.get("size").asInt());
            assertThat(type).as(at + " msgType").isEqualTo(f.get("msgType").asInt());
            assertThat(ack).as(at + " ackSeq").isEqualTo(f.get("ackSeq").asLong());
            assertThat(Fixtures.hex(Arrays.copyOfRange(bytes, offset, offset + 8))).as(at + " header")
                .isEqualTo(f.get("headerHex").asText());
            final ByteBuffer frame = ByteBuffer.wrap(Arrays.copyOfRange(bytes, offset, offset + frameBytes))
                .order(config.byteOrder());
            switch (kind)
            {
                case "login":
                    checkLogin(at, codec, frame, f);
                    break;
                case "loginRsp":
                    checkRsp(at, codec, frame, f);
                    break;
                default:
                    assertThat(Fixtures.hex(Arrays.copyOfRange(bytes, offset + 8, offset + size))).as(at + " payload")
                        .isEqualTo(f.get("payloadHex").asText());
                    assertThat(Fixtures.hex(Arrays.copyOfRange(bytes, offset + size, offset + frameBytes)))
                        .as(at + " padding").isEqualTo(f.get("paddingHex").asText());
                    if (kind.equals("heartbeat"))
                    {
                        assertThat(size).as(at + ": a heartbeat is a header alone").isEqualTo(8);
                        assertThat(f.has("seq")).isFalse();
                    }
                    else
                    {
                        assertThat(seq).as(at + " seq").isEqualTo(f.get("seq").asLong());
                        seq++;
                    }
            }
            offset += frameBytes;
            index++;
        }
        assertThat(offset).as(e + ": the walk ends at the end of the stream").isEqualTo(bytes.length);
        assertThat(index).as(e + ": frame count").isEqualTo(expected.size());
    }

    /**
     * docs/PROTOCOL.md: each side numbers its messages from the peer's ack carried in the handshake
     * (the server's response ack for the client's messages; the client's login ack for the
     * server's, or 0 when the login starts a new persistent connection).
     */
    private long firstAppSeq(final Fixtures.Entry e, final boolean c2s)
    {
        final String loginName = c2s ? e.name() : e.name().replace(".s2c.bin", ".c2s.bin");
        final String rspName = c2s ? e.name().replace(".c2s.bin", ".s2c.bin") : e.name();
        final ByteBuffer login = ByteBuffer.wrap(fx.entry(loginName).bytes()).order(e.config().byteOrder());
        final ByteBuffer rsp = ByteBuffer.wrap(fx.entry(rspName).bytes()).order(e.config().byteOrder());
        final LoginCodec codec = new LoginCodec(e.config());
        if (c2s)
        {
            return Bits.u32(FrameHeader.ackSeq(rsp, 0));
        }
        final String serverName = LoginCodec.readCString(rsp, codec.serverNameOffset(), codec.nameSize());
        final String lastServer = LoginCodec.readCString(login, codec.lastServerNameOffset(), codec.nameSize());
        return serverName != null && serverName.equals(lastServer) ? Bits.u32(FrameHeader.ackSeq(login, 0)) : 0;
    }

    private static void checkLogin(final String at, final LoginCodec codec, final ByteBuffer frame, final JsonNode f)
    {
        final LoginRequest login = ConformanceViews.loginRequest(codec, frame);
        final JsonNode v = f.get("values");
        assertThat(f.get("bodySize").asInt()).as(at + " bodySize").isEqualTo(codec.loginMsgSize() - 8);
        assertThat(f.get("issues")).as(at + " issues").isEmpty();
        assertThat(login.clientAck()).as(at).isEqualTo(f.get("ackSeq").asLong());
        assertThat(login.clientSeqStart()).as(at + " clientSeqStart").isEqualTo(v.get("clientSeqStart").asLong());
        assertThat(login.clientSeqEnd()).as(at + " clientSeqEnd").isEqualTo(v.get("clientSeqEnd").asLong());
        assertThat(userDataHex(login.userData(), login.userDataOffset(), login.userDataLength()))
            .as(at + " userData").isEqualTo(v.get("userData").asText());
        assertThat(login.useShm() ? 1 : 0).as(at + " useShm").isEqualTo(v.get("useShm").asInt());
        assertThat(login.clientName()).as(at + " clientName").isEqualTo(v.get("clientName").asText());
        assertThat(login.lastServerName()).as(at + " lastServerName").isEqualTo(v.get("lastServerName").asText());
        checkFieldOffsets(at, f, Map.of(
            "clientSeqStart", new int[] {LoginCodec.SEQ_START_OFFSET, 4},
            "clientSeqEnd", new int[] {LoginCodec.SEQ_END_OFFSET, 4},
            "userData", new int[] {codec.loginUserDataOffset(), codec.loginUserDataSize()},
            "useShm", new int[] {codec.useShmOffset(), 1},
            "clientName", new int[] {codec.clientNameOffset(), codec.nameSize()},
            "lastServerName", new int[] {codec.lastServerNameOffset(), codec.nameSize()}));
    }

    private static void checkRsp(final String at, final LoginCodec codec, final ByteBuffer frame, final JsonNode f)
    {
        final LoginResponse rsp = ConformanceViews.loginResponse(codec, frame);
        final JsonNode v = f.get("values");
        assertThat(f.get("bodySize").asInt()).as(at + " bodySize").isEqualTo(codec.rspMsgSize() - 8);
        assertThat(f.get("issues")).as(at + " issues").isEmpty();
        assertThat(rsp.serverAck()).as(at).isEqualTo(f.get("ackSeq").asLong());
        assertThat(rsp.serverSeqStart()).as(at + " serverSeqStart").isEqualTo(v.get("serverSeqStart").asLong());
        assertThat(rsp.serverSeqEnd()).as(at + " serverSeqEnd").isEqualTo(v.get("serverSeqEnd").asLong());
        assertThat(userDataHex(rsp.userData(), rsp.userDataOffset(), rsp.userDataLength()))
            .as(at + " userData").isEqualTo(v.get("userData").asText());
        assertThat(rsp.status()).as(at + " status").isEqualTo(v.get("status").asInt());
        assertThat(rsp.serverName()).as(at + " serverName").isEqualTo(v.get("serverName").asText());
        assertThat(rsp.errorMessage()).as(at + " errorMsg").isEqualTo(v.get("errorMsg").asText());
        checkFieldOffsets(at, f, Map.of(
            "serverSeqStart", new int[] {LoginCodec.SEQ_START_OFFSET, 4},
            "serverSeqEnd", new int[] {LoginCodec.SEQ_END_OFFSET, 4},
            "userData", new int[] {codec.rspUserDataOffset(), codec.rspUserDataSize()},
            "status", new int[] {codec.statusOffset(), 1},
            "serverName", new int[] {codec.serverNameOffset(), codec.nameSize()},
            "errorMsg", new int[] {codec.errorMsgOffset(), LoginCodec.ERROR_MSG_SIZE}));
    }

    private static void checkFieldOffsets(final String at, final JsonNode frame, final Map<String, int[]> ours)
    {
        assertThat(frame.get("fields")).as(at + " fields").hasSize(ours.size());
        for (final JsonNode field : frame.get("fields"))
        {
            final int[] o = ours.get(field.get("name").asText());
            assertThat(o).as(at + " unknown field " + field.get("name")).isNotNull();
            assertThat(o[0]).as(at + " " + field.get("name") + " frameOffset").isEqualTo(field.get("frameOffset").asInt());
            assertThat(o[1]).as(at + " " + field.get("name") + " length").isEqualTo(field.get("length").asInt());
        }
    }

    private static String userDataHex(final ByteBuffer frame, final int offset, final int length)
    {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = frame.get(offset + i);
        }
        return Fixtures.hex(b);
    }
}
