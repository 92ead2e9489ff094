package io.tcpshm.internal;

import io.tcpshm.TcpShmConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expected bytes written by hand from docs/PROTOCOL.md (tables and formulas), compared with what the
 * codecs and queues produce.
 */
class GoldenBytesTest
{
    @TempDir
    Path dir;

    private final List<MappedRegion> regions = new ArrayList<>();

    @AfterEach
    void closeRegions()
    {
        regions.forEach(MappedRegion::close);
    }

    private static ByteBuffer garbage(final int size, final ByteOrder order)
    {
        final ByteBuffer b = ByteBuffer.allocate(size).order(order);
        Hex.fill(b, 0, size, 0xAA);
        return b;
    }

    private static int roundUp(final int x, final int a)
    {
        return (x + a - 1) / a * a; // spec definition, independent of Bits
    }

    // ---------------------------------------------------------------- header and heartbeat

    @Test
    void headerLittleEndian()
    {
        final ByteBuffer b = garbage(8, ByteOrder.LITTLE_ENDIAN);
        FrameHeader.write(b, 0, 0x1234, 0x5678, 0x9ABCDEF0);
        assertThat(Hex.of(b, 0, 8)).isEqualTo(Hex.norm("34 12 78 56 f0 de bc 9a"));
        assertThat(FrameHeader.size(b, 0)).isEqualTo(0x1234);
        assertThat(FrameHeader.msgType(b, 0)).isEqualTo(0x5678);
        assertThat(FrameHeader.ackSeq(b, 0)).isEqualTo(0x9ABCDEF0);
    }

    @Test
    void headerBigEndian()
    {
        final ByteBuffer b = garbage(8, ByteOrder.BIG_ENDIAN);
        FrameHeader.write(b, 0, 0x1234, 0x5678, 0x9ABCDEF0);
        assertThat(Hex.of(b, 0, 8)).isEqualTo(Hex.norm("12 34 56 78 9a bc de f0"));
        assertThat(FrameHeader.size(b, 0)).isEqualTo(0x1234);
        assertThat(FrameHeader.msgType(b, 0)).isEqualTo(0x5678);
        assertThat(FrameHeader.ackSeq(b, 0)).isEqualTo(0x9ABCDEF0);
    }

    @Test
    void headerFieldsAreUnsigned()
    {
        final ByteBuffer b = ByteBuffer.wrap(Hex.bytes("ff ff fe ff ff ff ff ff")).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(FrameHeader.size(b, 0)).isEqualTo(65535);
        assertThat(FrameHeader.msgType(b, 0)).isEqualTo(0xFFFE);
        assertThat(Bits.u32(FrameHeader.ackSeq(b, 0))).isEqualTo(0xFFFF_FFFFL);
    }

    @Test
    void heartbeatFrame()
    {
        // size 8, msgType 0, ackSeq = myAck
        final ByteBuffer le = garbage(8, ByteOrder.LITTLE_ENDIAN);
        FrameHeader.write(le, 0, 8, FrameHeader.HEARTBEAT_TYPE, 7);
        assertThat(Hex.of(le, 0, 8)).isEqualTo(Hex.norm("08 00 00 00 07 00 00 00"));
        final ByteBuffer be = garbage(8, ByteOrder.BIG_ENDIAN);
        FrameHeader.write(be, 0, 8, FrameHeader.HEARTBEAT_TYPE, 7);
        assertThat(Hex.of(be, 0, 8)).isEqualTo(Hex.norm("00 08 00 00 00 00 00 07"));
    }

    // ---------------------------------------------------------------- login, defaults

    private static final String LOGIN_DEFAULT_TAIL =
        // 16: userData 7f, useShm 01, clientName "cli" (18..33)
        "7f 01 63 6c 69 00 00 00 | 00 00 00 00 00 00 00 00 |" +
        // 34: lastServerName "srv" (34..49), 50..55 padding
        "00 00 73 72 76 00 00 00 | 00 00 00 00 00 00 00 00 | 00 00 00 00 00 00 00 00";

    @Test
    void loginDefaultsLittleEndian()
    {
        final LoginCodec codec = new LoginCodec(TcpShmConfig.defaults());
        assertThat(codec.loginMsgSize()).isEqualTo(52);
        assertThat(codec.loginFrameSize()).isEqualTo(56);
        final ByteBuffer f = garbage(56, ByteOrder.LITTLE_ENDIAN);
        codec.encodeLogin(f, 0x01020304, 0x0A0B0C0D, 0x11223344, new byte[] {0x7f}, true, "cli", "srv");
        assertThat(Hex.of(f, 0, 56)).isEqualTo(Hex.norm(
            "34 00 01 00 04 03 02 01 | 0d 0c 0b 0a 44 33 22 11 |" + LOGIN_DEFAULT_TAIL));
    }

    @Test
    void loginDefaultsBigEndian()
    {
        final LoginCodec codec = new LoginCodec(TcpShmConfig.builder().toLittleEndian(false).build());
        final ByteBuffer f = garbage(56, ByteOrder.BIG_ENDIAN);
        codec.encodeLogin(f, 0x01020304, 0x0A0B0C0D, 0x11223344, new byte[] {0x7f}, true, "cli", "srv");
        assertThat(Hex.of(f, 0, 56)).isEqualTo(Hex.norm(
            "00 34 00 01 01 02 03 04 | 0a 0b 0c 0d 11 22 33 44 |" + LOGIN_DEFAULT_TAIL));
    }

    @Test
    void loginWithoutUserDataOrLastServerIsZeroFilled()
    {
        final LoginCodec codec = new LoginCodec(TcpShmConfig.defaults());
        final ByteBuffer f = garbage(56, ByteOrder.LITTLE_ENDIAN);
        codec.encodeLogin(f, 0, 0, 0, null, false, "c", "");
        assertThat(Hex.of(f, 0, 56)).isEqualTo(Hex.norm(
            "34 00 01 00 00 00 00 00 | 00 00 00 00 00 00 00 00 |" +
            "00 00 63 00 00 00 00 00 | 00 00 00 00 00 00 00 00 |" +
            "00 00 00 00 00 00 00 00 | 00 00 00 00 00 00 00 00 | 00 00 00 00 00 00 00 00"));
        assertThat(LoginCodec.readCString(f, codec.clientNameOffset(), 16)).isEqualTo("c");
        assertThat(LoginCodec.readCString(f, codec.lastServerNameOffset(), 16)).isEmpty();
    }

    // ---------------------------------------------------------------- login response, defaults

    @Test
    void loginResponseDefaultsLittleEndian()
    {
        final LoginCodec codec = new LoginCodec(TcpShmConfig.defaults());
        assertThat(codec.rspMsgSize()).isEqualTo(68);
        assertThat(codec.rspFrameSize()).isEqualTo(72);
        final ByteBuffer f = garbage(72, ByteOrder.LITTLE_ENDIAN);
        f.put(16, (byte)0x5a); // user data is the caller's: left as written
        codec.encodeRsp(f, 0x01020304, 0x0A0B0C0D, 0x11223344, 2, "server", "Login Reject");
        assertThat(Hex.of(f, 0, 72)).isEqualTo(Hex.norm(
            "44 00 02 00 04 03 02 01 | 0d 0c 0b 0a 44 33 22 11 |" +
            // 16: userData 5a, status 02, serverName "server" at 18..33
            "5a 02 73 65 72 76 65 72 | 00 00 00 00 00 00 00 00 |" +
            // 34: errorMsg "Login Reject" at 34..65, then padding 66..71
            "00 00 4c 6f 67 69 6e 20 | 52 65 6a 65 63 74 00 00 | 00 00 00 00 00 00 00 00 |" +
            "00 00 00 00 00 00 00 00 | 00 00 00 00 00 00 00 00"));
    }

    @Test
    void loginResponseDefaultsBigEndian()
    {
        final LoginCodec codec = new LoginCodec(TcpShmConfig.builder().toLittleEndian(false).build());
        final ByteBuffer f = garbage(72, ByteOrder.BIG_ENDIAN);
        f.put(16, (byte)0x5a);
        codec.encodeRsp(f, 0x01020304, 0x0A0B0C0D, 0x11223344, 0, "server", "");
        assertThat(Hex.of(f, 0, 72)).isEqualTo(Hex.norm(
            "00 44 00 02 01 02 03 04 | 0a 0b 0c 0d 11 22 33 44 |" +
            "5a 00 73 65 72 76 65 72 | 00 00 00 00 00 00 00 00 |" +
            "00 00 00 00 00 00 00 00 | 00 00 00 00 00 00 00 00 | 00 00 00 00 00 00 00 00 |" +
            "00 00 00 00 00 00 00 00 | 00 00 00 00 00 00 00 00"));
    }

    @Test
    void errorMessageIsTruncatedTo31BytesAndNulTerminated()
    {
        final LoginCodec codec = new LoginCodec(TcpShmConfig.defaults());
        final ByteBuffer f = garbage(72, ByteOrder.LITTLE_ENDIAN);
        codec.encodeRsp(f, 0, 0, 0, 2, "s", "0123456789012345678901234567890123456789");
        final int err = 8 + 8 + 1 + 1 + 16; // 8 + p + V + 1 + N
        assertThat(codec.errorMsgOffset()).isEqualTo(err);
        assertThat(Hex.of(f, err, 32)).isEqualTo(Hex.of(("0123456789012345678901234567890" + "\0").getBytes()));
        assertThat(LoginCodec.readCString(f, err, 32)).isEqualTo("0123456789012345678901234567890");
    }

    @Test
    void readCStringWithoutNulIsNull()
    {
        final ByteBuffer f = ByteBuffer.wrap("abcdefgh".getBytes());
        assertThat(LoginCodec.readCString(f, 0, 8)).isNull();
    }

    // ---------------------------------------------------------------- other sizes and alignments

    /**
     * Login layouts. Offsets are from the frame start; the hand-computed values follow the spec:
     * o = roundUp(8, a); userData at 8 + o; useShm at 8 + o + U; names at +1 and +1+N;
     * B = roundUp(o + U + 1 + 2N, max(4, a)); size = 8 + B; frame = 8 + roundUp(B, 8).
     */
    @ParameterizedTest(name = "N={0} U={1} a={2}")
    @CsvSource({
        // N, U, a, userData, useShm, clientName, lastServerName, size, frame
        "16,  1,  1, 16, 17, 18, 34,  52,  56",
        "16,  8,  8, 16, 24, 25, 41,  64,  64",
        "16,  4,  4, 16, 20, 21, 37,  56,  56",
        "16, 16, 16, 24, 40, 41, 57,  88,  88",
        "16,  3,  1, 16, 19, 20, 36,  52,  56",
        "16, 12,  4, 16, 28, 29, 45,  64,  64",
        " 8,  1,  1, 16, 17, 18, 26,  36,  40",
        "32,  1,  1, 16, 17, 18, 50,  84,  88",
        " 8,  8,  8, 16, 24, 25, 33,  48,  48",
        "32, 16, 16, 24, 40, 41, 73, 120, 120",
    })
    void loginLayout(final int n, final int u, final int a, final int ud, final int shm, final int cn, final int ls,
        final int size, final int frame)
    {
        // the table agrees with the formulas
        final int o = roundUp(8, a);
        final int body = roundUp(o + u + 1 + 2 * n, Math.max(4, a));
        assertThat(new int[] {8 + o, 8 + o + u, 8 + o + u + 1, 8 + o + u + 1 + n, 8 + body, 8 + roundUp(body, 8)})
            .containsExactly(ud, shm, cn, ls, size, frame);

        for (final boolean little : new boolean[] {true, false})
        {
            final TcpShmConfig config = TcpShmConfig.builder().nameSize(n).loginUserData(u, a).toLittleEndian(little).build();
            final LoginCodec codec = new LoginCodec(config);
            assertThat(codec.loginUserDataOffset()).isEqualTo(ud);
            assertThat(codec.loginUserDataSize()).isEqualTo(u);
            assertThat(codec.useShmOffset()).isEqualTo(shm);
            assertThat(codec.clientNameOffset()).isEqualTo(cn);
            assertThat(codec.lastServerNameOffset()).isEqualTo(ls);
            assertThat(codec.loginMsgSize()).isEqualTo(size);
            assertThat(codec.loginFrameSize()).isEqualTo(frame);
            assertThat(LoginCodec.loginFrameSize(config)).isEqualTo(frame);

            final byte[] userData = new byte[u];
            for (int i = 0; i < u; i++)
            {
                userData[i] = (byte)(0xC0 + i);
            }
            final String client = "c".repeat(n - 1); // longest legal name: NUL in the last byte
            final ByteBuffer f = garbage(frame, config.byteOrder());
            codec.encodeLogin(f, 0x01020304, 0x0A0B0C0D, 0x11223344, userData, true, client, "s");

            final byte[] expected = new byte[frame];
            final byte[] head = little
                ? Hex.bytes("00 00 01 00 04 03 02 01 0d 0c 0b 0a 44 33 22 11")
                : Hex.bytes("00 00 00 01 01 02 03 04 0a 0b 0c 0d 11 22 33 44");
            System.arraycopy(head, 0, expected, 0, 16);
            expected[little ? 0 : 1] = (byte)size; // all sizes here are < 256
            System.arraycopy(userData, 0, expected, ud, u); // raw, never swapped
            expected[shm] = 1;
            for (int i = 0; i < n - 1; i++)
            {
                expected[cn + i] = 'c';
            }
            expected[ls] = 's';
            assertThat(Hex.of(f, 0, frame)).as("little=%s", little).isEqualTo(Hex.of(expected));
            assertThat(LoginCodec.readCString(f, cn, n)).isEqualTo(client);
        }
    }

    /**
     * Response layouts: p = roundUp(8, b); userData at 8 + p; status at 8 + p + V; serverName at
     * +1; errorMsg at +1+N; body = roundUp(p + V + 33 + N, max(4, b)).
     */
    @ParameterizedTest(name = "N={0} V={1} b={2}")
    @CsvSource({
        // N, V, b, userData, status, serverName, errorMsg, size, frame
        "16,  1,  1, 16, 17, 18, 34,  68,  72",
        "16,  8,  8, 16, 24, 25, 41,  80,  80",
        "16,  4,  4, 16, 20, 21, 37,  72,  72",
        "16, 16, 16, 24, 40, 41, 57, 104, 104",
        "16,  3,  1, 16, 19, 20, 36,  68,  72",
        "16, 12,  4, 16, 28, 29, 45,  80,  80",
        " 8,  1,  1, 16, 17, 18, 26,  60,  64",
        "32,  1,  1, 16, 17, 18, 50,  84,  88",
    })
    void loginResponseLayout(final int n, final int v, final int b, final int ud, final int st, final int sn,
        final int err, final int size, final int frame)
    {
        final int p = roundUp(8, b);
        final int body = roundUp(p + v + 33 + n, Math.max(4, b));
        assertThat(new int[] {8 + p, 8 + p + v, 8 + p + v + 1, 8 + p + v + 1 + n, 8 + body, 8 + roundUp(body, 8)})
            .containsExactly(ud, st, sn, err, size, frame);

        for (final boolean little : new boolean[] {true, false})
        {
            final TcpShmConfig config = TcpShmConfig.builder().nameSize(n).loginResponseUserData(v, b).toLittleEndian(little).build();
            final LoginCodec codec = new LoginCodec(config);
            assertThat(codec.rspUserDataOffset()).isEqualTo(ud);
            assertThat(codec.rspUserDataSize()).isEqualTo(v);
            assertThat(codec.statusOffset()).isEqualTo(st);
            assertThat(codec.serverNameOffset()).isEqualTo(sn);
            assertThat(codec.errorMsgOffset()).isEqualTo(err);
            assertThat(codec.rspMsgSize()).isEqualTo(size);
            assertThat(codec.rspFrameSize()).isEqualTo(frame);
            assertThat(LoginCodec.rspFrameSize(config)).isEqualTo(frame);

            final ByteBuffer f = garbage(frame, config.byteOrder());
            final byte[] userData = new byte[v];
            for (int i = 0; i < v; i++)
            {
                userData[i] = (byte)(0xC0 + i);
                f.put(ud + i, userData[i]); // the server's callback writes it before encodeRsp
            }
            final String server = "S".repeat(n - 1);
            codec.encodeRsp(f, 0x01020304, 0x0A0B0C0D, 0x11223344, 1, server, "");

            final byte[] expected = new byte[frame];
            final byte[] head = little
                ? Hex.bytes("00 00 02 00 04 03 02 01 0d 0c 0b 0a 44 33 22 11")
                : Hex.bytes("00 00 00 02 01 02 03 04 0a 0b 0c 0d 11 22 33 44");
            System.arraycopy(head, 0, expected, 0, 16);
            expected[little ? 0 : 1] = (byte)size;
            System.arraycopy(userData, 0, expected, ud, v);
            expected[st] = 1;
            for (int i = 0; i < n - 1; i++)
            {
                expected[sn + i] = 'S';
            }
            assertThat(Hex.of(f, 0, frame)).as("little=%s", little).isEqualTo(Hex.of(expected));
        }
    }

    // ---------------------------------------------------------------- PTCP file

    @Test
    void ptcpFileLayout() throws Exception
    {
        for (final ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN})
        {
            final int q = 64;
            assertThat(PtcpQueue.fileSize(q)).isEqualTo(q + 20);
            final MappedRegion region = MappedRegion.open(dir.resolve("layout-" + order + ".ptcp"), q + 20, false, 0, q + 20);
            regions.add(region);
            final ByteBuffer file = region.buffer();
            Hex.fill(file, 0, q, 0xAA); // stale bytes in the blocks must not leak into padding
            final PtcpQueue queue = new PtcpQueue(file, q, order);
            assertThat(queue.sanityCheck()).isNull();

            queue.incrementMyAck();
            queue.incrementMyAck(); // myAck = 2, stamped into both messages
            int off = queue.alloc(5);
            assertThat(off).isZero();
            queue.wireBuffer().putShort(off + 2, (short)0x0107);
            for (int i = 0; i < 5; i++)
            {
                queue.wireBuffer().put(off + 8 + i, (byte)(0x11 * (i + 1)));
            }
            queue.push();
            off = queue.alloc(0);
            assertThat(off).isEqualTo(16);
            queue.wireBuffer().putShort(off + 2, (short)0x0203);
            queue.push();

            final String messages = order == ByteOrder.LITTLE_ENDIAN
                ? "0d 00 07 01 02 00 00 00 | 11 22 33 44 55 00 00 00 | 08 00 03 02 02 00 00 00"
                : "00 0d 01 07 00 00 00 02 | 11 22 33 44 55 00 00 00 | 00 08 02 03 00 00 00 02";
            assertThat(Hex.of(file, 0, 24)).isEqualTo(Hex.norm(messages));
            assertThat(Hex.of(file, 24, q - 24)).isEqualTo(Hex.norm("aa".repeat(q - 24))); // untouched

            // indices in host order: writeIdx 3, readIdx 0, sendIdx 0, readSeq 0, myAck 2
            assertThat(Hex.of(file, q, 20)).isEqualTo(Hex.of(hostInts(3, 0, 0, 0, 2)));
            queue.sent(8);
            queue.ack(1);
            // writeIdx 3, readIdx 2, sendIdx 2 (moved up to readIdx), readSeq 1, myAck 2
            assertThat(Hex.of(file, q, 20)).isEqualTo(Hex.of(hostInts(3, 2, 2, 1, 2)));
        }
    }

    static byte[] hostInts(final int... values)
    {
        final ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.nativeOrder());
        for (final int v : values)
        {
            b.putInt(v);
        }
        return b.array();
    }

    // ---------------------------------------------------------------- SHM ring file

    @Test
    void shmFileSizes()
    {
        assertThat(ShmRing.fileSize(64)).isEqualTo(128 + 256);   // R = roundUp(64, 128) = 128
        assertThat(ShmRing.fileSize(128)).isEqualTo(128 + 256);
        assertThat(ShmRing.fileSize(256)).isEqualTo(256 + 256);
        assertThat(ShmRing.fileSize(2048)).isEqualTo(2048 + 256);
    }

    @Test
    void shmRingLayoutAndRewindMarker() throws Exception
    {
        final int s = 256; // C = 4 blocks, R = 256, file 512
        final MappedRegion region = MappedRegion.open(dir.resolve("layout.shm"), 512, false, 0, 0);
        regions.add(region);
        final ByteBuffer file = region.buffer();
        Hex.fill(file, 0, s, 0xAA);
        final ShmRing producer = ShmRing.producer(file, s);
        final ShmRing consumer = ShmRing.consumer(file, s);

        // message 1: payload 20 -> size 28, 1 block at slot 0
        int off = producer.alloc(20);
        assertThat(off).isZero();
        producer.buffer().putShort(off + 2, (short)0x0305);
        producer.push();
        assertThat(Hex.of(file, 0, 4)).isEqualTo(Hex.of(hostShorts(28, 0x0305)));
        assertThat(Hex.of(file, 256, 4)).isEqualTo(Hex.of(hostInts(1)));      // writeIdx at R
        assertThat(Hex.of(file, 256 + 128, 4)).isEqualTo(Hex.of(hostInts(0))); // readIdx at R + 128

        // message 2: payload 100 -> size 108, 2 blocks at slots 1..2
        off = producer.alloc(100);
        assertThat(off).isEqualTo(64);
        producer.push();
        assertThat(Hex.of(file, 64, 2)).isEqualTo(Hex.of(hostShorts(108)));
        assertThat(Hex.of(file, 256, 4)).isEqualTo(Hex.of(hostInts(3)));

        for (int i = 0; i < 2; i++)
        {
            assertThat(consumer.front()).isGreaterThanOrEqualTo(0);
            consumer.pop();
        }
        assertThat(Hex.of(file, 256 + 128, 4)).isEqualTo(Hex.of(hostInts(3)));

        // message 3: 2 blocks, only p = 1 left before the end: marker at slot 3, writeIdx 3 -> 4 -> 6
        off = producer.alloc(100);
        assertThat(off).isZero();
        assertThat(Hex.of(file, 3 * 64, 2)).isEqualTo("00 00"); // rewind marker: size 0
        assertThat(Hex.of(file, 256, 4)).isEqualTo(Hex.of(hostInts(4))); // marker published with the advance
        producer.buffer().putShort(off + 2, (short)9);
        producer.push();
        assertThat(Hex.of(file, 256, 4)).isEqualTo(Hex.of(hostInts(6)));
        assertThat(Hex.of(file, 0, 4)).isEqualTo(Hex.of(hostShorts(108, 9)));

        assertThat(consumer.front()).isZero(); // skipped the marker
        consumer.pop();
        assertThat(Hex.of(file, 256 + 128, 4)).isEqualTo(Hex.of(hostInts(6)));
    }

    static byte[] hostShorts(final int... values)
    {
        final ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.nativeOrder());
        for (final int v : values)
        {
            b.putShort((short)v);
        }
        return b.array();
    }
}
