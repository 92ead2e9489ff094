package io.tcpshm.hostile;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Generators of hostile wire input (little-endian, default sizes). */
final class HostileInput
{
    private HostileInput()
    {
    }

    /** Sequence numbers and acks: zero, small, around the u32 wrap and the i32 sign, anything. */
    static Arbitrary<Integer> seq()
    {
        return Arbitraries.of(0, 1, 2, -1, -2, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE + 1);
    }

    static Arbitrary<Integer> anySeq()
    {
        return Arbitraries.oneOf(seq(), Arbitraries.integers(), Arbitraries.integers().between(0, 20));
    }

    /** Bytes of a name field (16 bytes): a hostile or ordinary name, NUL, random tail; or no NUL at all. */
    static Arbitrary<byte[]> nameField()
    {
        final Arbitrary<String> special = Arbitraries.of(
            "", ".", "..", "...", "../x", "a/b", "/", "/etc", "..\\x", "good", "srv", "a", "b", "-", " ", "a b", "~",
            "x.y", "caf\u00e9", "tab\tname", "nl\n", "del\u007f", "\u0001", "\u00ff\u00fe", "%s%n", "*", "123456789012345");
        final Arbitrary<Character> hostileChars = Arbitraries.of(
            'a', 'b', 'Z', '0', '.', '/', '_', '-', ' ', '\\', '\t', '\n', '\u0001', '\u001f', '\u007f', '\u0080', '\u00c3',
            '\u00a9', '\u00ff', '%', '*', ':');
        final Arbitrary<String> generated = hostileChars.list().ofMaxSize(15)
            .map(cs -> cs.stream().map(String::valueOf).reduce("", String::concat));
        final Arbitrary<byte[]> terminated = Combinators.combine(Arbitraries.oneOf(special, generated),
            Arbitraries.bytes().array(byte[].class).ofSize(16)).as((name, tail) ->
            {
                final byte[] b = tail.clone();
                final byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
                System.arraycopy(n, 0, b, 0, n.length);
                b[n.length] = 0;
                return b;
            });
        final Arbitrary<byte[]> unterminated = Arbitraries.bytes().between((byte)1, (byte)127)
            .array(byte[].class).ofSize(16);
        final Arbitrary<byte[]> ordinary = Arbitraries.of("a", "b", "x.y", "-", " ", "a b", "~", "...", "srv", "A_B",
            "srv_x", "123456789012345").map(HostileInput::name);
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, terminated),
            net.jqwik.api.Tuple.of(4, ordinary),
            net.jqwik.api.Tuple.of(1, unterminated));
    }

    /** A login frame (56 bytes) with hostile fields; the header is mostly that of a login. */
    static Arbitrary<byte[]> loginFrame()
    {
        final Arbitrary<int[]> header = Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(9, Arbitraries.just(new int[] {WireModel.LOGIN_SIZE, 1})),
            net.jqwik.api.Tuple.of(1, Combinators.combine(
                Arbitraries.of(0, 7, 8, 51, 53, 56, 68, 8001, 65535), Arbitraries.of(0, 1, 2, 3, 65535))
                .as((s, t) -> new int[] {s, t})));
        final Arbitrary<Byte> useShm = Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, Arbitraries.just((byte)0)),
            net.jqwik.api.Tuple.of(3, Arbitraries.just((byte)1)),
            net.jqwik.api.Tuple.of(1, Arbitraries.bytes()));
        final Arbitrary<byte[]> lastServer = Arbitraries.oneOf(
            Arbitraries.just(name("")), Arbitraries.just(name("srv")), nameField());
        return Combinators.combine(header, anySeq(), anySeq(), anySeq(), useShm, nameField(), lastServer,
            Arbitraries.bytes()).as((h, ack, start, end, shm, clientName, last, user) ->
            {
                final ByteBuffer b = ByteBuffer.allocate(WireModel.LOGIN_FRAME).order(ByteOrder.LITTLE_ENDIAN);
                b.putShort(0, (short)h[0]).putShort(2, (short)h[1]).putInt(4, ack);
                b.putInt(8, start).putInt(12, end);
                b.put(16, user);
                b.put(WireModel.LOGIN_USE_SHM, shm);
                b.put(WireModel.LOGIN_CLIENT_NAME, clientName);
                b.put(WireModel.LOGIN_LAST_SERVER, last);
                return b.array();
            });
    }

    static byte[] name(final String s)
    {
        final byte[] b = new byte[WireModel.NAME_SIZE];
        final byte[] n = s.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(n, 0, b, 0, n.length);
        return b;
    }

    /** A well-formed login frame for {@code name} on TCP, as a new persistent connection. */
    static byte[] validLogin(final String clientName)
    {
        return login(clientName, "", false);
    }

    /** A well-formed login frame with all sequence numbers 0. */
    static byte[] login(final String clientName, final String lastServer, final boolean shm)
    {
        final ByteBuffer b = ByteBuffer.allocate(WireModel.LOGIN_FRAME).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short)WireModel.LOGIN_SIZE).putShort(2, (short)1);
        b.put(WireModel.LOGIN_USE_SHM, (byte)(shm ? 1 : 0));
        b.put(WireModel.LOGIN_CLIENT_NAME, name(clientName));
        b.put(WireModel.LOGIN_LAST_SERVER, name(lastServer));
        return b.array();
    }

    /** One frame or chunk of a hostile message stream. */
    static Arbitrary<byte[]> streamPiece()
    {
        final Arbitrary<byte[]> app = Combinators.combine(Arbitraries.integers().between(8, 300),
            Arbitraries.integers().between(1, 65535), Arbitraries.of(0, 0, 0, -1, Integer.MIN_VALUE),
            Arbitraries.bytes()).as((size, type, ack, fill) -> frame(size, type, ack, fill, (size + 7) & ~7));
        final Arbitrary<byte[]> big = Combinators.combine(Arbitraries.integers().between(2001, 8000),
            Arbitraries.bytes()).as((size, fill) -> frame(size, 9, 0, fill, (size + 7) & ~7));
        final Arbitrary<byte[]> heartbeat = Arbitraries.of(0, 0, 0, -1, 1, 5, Integer.MIN_VALUE, Integer.MAX_VALUE)
            .map(ack -> frame(8, 0, ack, (byte)0, 8));
        final Arbitrary<byte[]> tooSmall = Combinators.combine(Arbitraries.integers().between(0, 7),
            Arbitraries.integers().between(0, 65535)).as((size, type) -> frame(size, type, 0, (byte)0, 8));
        final Arbitrary<byte[]> tooBig = Combinators.combine(Arbitraries.integers().between(8001, 65535),
            Arbitraries.integers().between(0, 16)).as((size, body) -> frame(size, 5, 0, (byte)7, 8 + body * 8));
        final Arbitrary<byte[]> absurdAck = Combinators.combine(Arbitraries.integers().between(8, 64), anySeq(),
            Arbitraries.integers().between(0, 3)).as((size, ack, type) -> frame(size, type, ack, (byte)3, (size + 7) & ~7));
        final Arbitrary<byte[]> garbage = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40);
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(10, app),
            net.jqwik.api.Tuple.of(1, big),
            net.jqwik.api.Tuple.of(4, heartbeat),
            net.jqwik.api.Tuple.of(2, tooSmall),
            net.jqwik.api.Tuple.of(2, tooBig),
            net.jqwik.api.Tuple.of(3, absurdAck),
            net.jqwik.api.Tuple.of(2, garbage));
    }

    /** A message stream of up to 12 pieces, sometimes cut short (a truncated last frame). */
    static Arbitrary<byte[]> stream()
    {
        return Combinators.combine(streamPiece().list().ofMaxSize(12), Arbitraries.integers().between(0, 4),
            Arbitraries.integers().between(1, 1_000_000)).as((pieces, cut, where) ->
            {
                final byte[] all = WireModel.concat(pieces.toArray(new byte[0][]));
                if (cut != 0 || all.length == 0)
                {
                    return all;
                }
                return java.util.Arrays.copyOf(all, where % all.length); // truncated
            });
    }

    static byte[] frame(final int size, final int type, final int ack, final byte fill, final int length)
    {
        final byte[] b = new byte[length];
        java.util.Arrays.fill(b, fill);
        final byte[] h = WireModel.header(size, type, ack);
        System.arraycopy(h, 0, b, 0, Math.min(8, length));
        return b;
    }

    static List<byte[]> none()
    {
        return List.of();
    }
}
