package io.tcpshm.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random operations on a PtcpQueue compared with a plain model: a list of the unacked messages'
 * wire bytes, the number of bytes already sent, readSeq and myAck.
 */
class PtcpQueueModelTest
{
    private static final int Q = 256; // 32 blocks

    @TempDir
    Path dir;

    private MappedRegion region;

    @AfterEach
    void close()
    {
        if (region != null)
        {
            region.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void randomOperationsMatchTheModel(final int seed) throws Exception
    {
        final Random random = new Random(seed);
        final ByteOrder order = seed % 2 == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        region = MappedRegion.open(dir.resolve("m.ptcp"), Q + 20, false, 0, Q + 20);
        final ByteBuffer file = region.buffer();
        int readSeq = seed > 3 ? 0xFFFFFF00 + seed : 0; // some runs cross 2^32
        int myAck = seed > 3 ? 0xFFFFFFF0 : 0;
        file.duplicate().order(ByteOrder.nativeOrder()).putInt(Q + 12, readSeq).putInt(Q + 16, myAck);
        PtcpQueue q = new PtcpQueue(file, Q, order);
        assertThat(q.sanityCheck()).isNull();

        final ArrayDeque<byte[]> model = new ArrayDeque<>();
        int sent = 0; // bytes of the model's stream already sent
        for (int op = 0; op < 10_000; op++)
        {
            final int kind = random.nextInt(100);
            final int writeSeq = readSeq + model.size();
            if (kind < 35)
            {
                final int payload = random.nextInt(random.nextInt(10) == 0 ? 200 : 40);
                final int blocks = (payload + 8 + 7) / 8;
                final int live = model.stream().mapToInt(m -> m.length / 8).sum();
                final int off = q.alloc(payload);
                if (live + blocks > Q / 8)
                {
                    assertThat(off).as("op %d: no room for %d blocks with %d live", op, blocks, live).isEqualTo(-1);
                    continue;
                }
                assertThat(off).as("op %d", op).isGreaterThanOrEqualTo(0);
                final ByteBuffer expected = ByteBuffer.allocate(blocks * 8).order(order);
                expected.putShort((short)(payload + 8)).putShort((short)(op & 0xFFFF)).putInt(myAck);
                q.wireBuffer().putShort(off + 2, (short)(op & 0xFFFF));
                for (int i = 0; i < payload; i++)
                {
                    final byte b = (byte)random.nextInt();
                    expected.put(b);
                    q.wireBuffer().put(off + 8 + i, b);
                }
                q.push();
                model.add(expected.array());
            }
            else if (kind < 60)
            {
                final int unsent = total(model) - sent;
                final int n = unsent == 0 ? 0 : random.nextInt(unsent + 1);
                q.sent(n);
                sent += n;
            }
            else if (kind < 85)
            {
                final int ack = readSeq - 2 + random.nextInt(model.size() + 4);
                final boolean ok = q.ack(ack);
                assertThat(ok).as("op %d ack %d writeSeq %d", op, ack, writeSeq).isEqualTo(!Bits.isNewer(ack, writeSeq));
                while (ok && Bits.isNewer(ack, readSeq))
                {
                    final byte[] m = model.poll();
                    sent = Math.max(0, sent - m.length);
                    readSeq++;
                }
            }
            else if (kind < 90)
            {
                myAck = q.incrementMyAck();
            }
            else if (kind < 95)
            {
                assertThat(q.loginAck(readSeq)).isTrue();
                sent = 0;
            }
            else
            {
                q = new PtcpQueue(file, Q, order); // as after a restart
                assertThat(q.sanityCheck()).as("op %d", op).isNull();
                sent -= sent % 8; // a partial block is not persisted
            }

            assertThat(q.seqStart()).as("op %d", op).isEqualTo(readSeq);
            assertThat(q.seqEnd()).isEqualTo(readSeq + model.size());
            assertThat(q.myAck()).isEqualTo(myAck);
            assertThat(Integer.compareUnsigned(q.readIdx(), q.sendIdx())).isLessThanOrEqualTo(0);
            assertThat(Integer.compareUnsigned(q.sendIdx(), q.writeIdx())).isLessThanOrEqualTo(0);
            assertThat(q.writeIdx()).isLessThanOrEqualTo(Q / 8);
            if (model.isEmpty())
            {
                assertThat(q.writeIdx()).isZero();
            }
            final byte[] stream = concat(model);
            final ByteBuffer unsent = q.unsent();
            assertThat(unsent.remaining()).as("op %d unsent", op).isEqualTo(stream.length - sent);
            assertThat(bytes(unsent, unsent.position(), unsent.remaining()))
                .as("op %d unsent bytes", op).isEqualTo(java.util.Arrays.copyOfRange(stream, sent, stream.length));
            assertThat(bytes(file, q.readIdx() * 8, stream.length)).as("op %d queued bytes", op).isEqualTo(stream);
        }
    }

    private static byte[] bytes(final ByteBuffer b, final int offset, final int length)
    {
        final byte[] out = new byte[length];
        b.get(offset, out);
        return out;
    }

    private static int total(final ArrayDeque<byte[]> model)
    {
        return model.stream().mapToInt(m -> m.length).sum();
    }

    private static byte[] concat(final ArrayDeque<byte[]> model)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        model.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
