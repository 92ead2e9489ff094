package io.tcpshm.jcstress;

import io.tcpshm.internal.ShmRing;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The SHM ring's publication, with a producer and a consumer on two threads: a consumer that
 * sees a message sees its bytes (release store of writeIdx after the bytes, acquire load before
 * reading them), and never a stale rewind marker or a stale message in its place.
 */
public final class ShmRingPublication
{
    private ShmRingPublication()
    {
    }

    private static final int S = 256; // 4 blocks of 64 bytes

    /** A fresh ring: one message of one block with payload 42. */
    @JCStressTest
    @Description("A consumer never sees a message before its bytes.")
    @Outcome(id = "-1, -1", expect = Expect.ACCEPTABLE, desc = "Not yet published.")
    @Outcome(id = "1, 42", expect = Expect.ACCEPTABLE, desc = "The message and its bytes.")
    @Outcome(expect = Expect.FORBIDDEN, desc = "A message without its bytes.")
    @State
    public static class Message
    {
        final ShmRing producer;
        final ShmRing consumer;

        /** Fresh ring. */
        public Message()
        {
            final ByteBuffer file = ByteBuffer.allocateDirect(ShmRing.fileSize(S)).order(ByteOrder.nativeOrder());
            producer = ShmRing.producer(file, S);
            consumer = ShmRing.consumer(file, S);
        }

        /** Producer. */
        @Actor
        public void produce()
        {
            final int offset = producer.alloc(8);
            producer.buffer().putShort(offset + 2, (short)1);
            producer.buffer().putLong(offset + 8, 42);
            producer.push();
        }

        /**
         * Consumer.
         *
         * @param r type and payload seen, or -1, -1 when empty.
         */
        @Actor
        public void consume(final JJ_Result r)
        {
            final int offset = consumer.front();
            if (offset < 0)
            {
                r.r1 = offset == -1 ? -1 : -2;
                r.r2 = -1;
                return;
            }
            r.r1 = consumer.buffer().getShort(offset + 2);
            r.r2 = consumer.buffer().getLong(offset + 8);
        }
    }

    /**
     * A message that needs a rewind, over stale bytes: slot 3 (where the marker goes) and slot 0
     * (where the message goes) hold an old message of type 5 with payload 7.
     */
    @JCStressTest
    @Description("A consumer never sees a stale rewind marker slot or a stale message instead of the new one.")
    @Outcome(id = "-1, -1", expect = Expect.ACCEPTABLE, desc = "Nothing published yet, or only the marker.")
    @Outcome(id = "1, 42", expect = Expect.ACCEPTABLE, desc = "The new message after the marker.")
    @Outcome(expect = Expect.FORBIDDEN, desc = "Stale bytes.")
    @State
    public static class RewindOverStaleBytes
    {
        final ShmRing producer;
        final ShmRing consumer;

        /** Ring with both indices at slot 3 and stale messages in slots 3 and 0. */
        public RewindOverStaleBytes()
        {
            final ByteBuffer file = ByteBuffer.allocateDirect(ShmRing.fileSize(S)).order(ByteOrder.nativeOrder());
            for (final int slot : new int[] {3, 0})
            {
                file.putShort(slot * 64, (short)16);
                file.putShort(slot * 64 + 2, (short)5);
                file.putLong(slot * 64 + 8, 7);
            }
            file.putInt(S, 3);        // writeIdx
            file.putInt(S + 128, 3);  // readIdx
            producer = ShmRing.producer(file, S);
            consumer = ShmRing.consumer(file, S);
        }

        /** Producer: a 2-block message does not fit in the last slot, so a marker goes there. */
        @Actor
        public void produce()
        {
            final int offset = producer.alloc(64);
            producer.buffer().putShort(offset + 2, (short)1);
            producer.buffer().putLong(offset + 8, 42);
            producer.push();
        }

        /**
         * Consumer.
         *
         * @param r type and payload seen, or -1, -1 when empty.
         */
        @Actor
        public void consume(final JJ_Result r)
        {
            final int offset = consumer.front();
            if (offset < 0)
            {
                r.r1 = offset == -1 ? -1 : -2;
                r.r2 = -1;
                return;
            }
            r.r1 = consumer.buffer().getShort(offset + 2);
            r.r2 = consumer.buffer().getLong(offset + 8);
        }
    }

    /** The consumer frees a slot (release readIdx after reading) while the producer wants to reuse it. */
    @JCStressTest
    @Description("A producer never overwrites a message before the consumer has finished reading it.")
    @Outcome(id = "7, -1", expect = Expect.ACCEPTABLE, desc = "Read the old message; the ring was still full.")
    @Outcome(id = "7, 0", expect = Expect.ACCEPTABLE, desc = "Read the old message, then the slot was reused.")
    @Outcome(expect = Expect.FORBIDDEN, desc = "The old message was overwritten while being read.")
    @State
    public static class SlotReuse
    {
        final ShmRing producer;
        final ShmRing consumer;

        /** A full ring of 4 one-block messages with payload 7. */
        public SlotReuse()
        {
            final ByteBuffer file = ByteBuffer.allocateDirect(ShmRing.fileSize(S)).order(ByteOrder.nativeOrder());
            producer = ShmRing.producer(file, S);
            consumer = ShmRing.consumer(file, S);
            for (int i = 0; i < 4; i++)
            {
                final int offset = producer.alloc(8);
                producer.buffer().putShort(offset + 2, (short)1);
                producer.buffer().putLong(offset + 8, 7);
                producer.push();
            }
        }

        /**
         * Producer: tries to reuse slot 0 with payload 99.
         *
         * @param r r2 = 0 when the alloc succeeded, -1 when the ring was full.
         */
        @Actor
        public void produce(final JJ_Result r)
        {
            final int offset = producer.alloc(8);
            if (offset < 0)
            {
                r.r2 = -1;
                return;
            }
            producer.buffer().putShort(offset + 2, (short)1);
            producer.buffer().putLong(offset + 8, 99);
            producer.push();
            r.r2 = 0;
        }

        /**
         * Consumer: reads the oldest message (slot 0), then pops it.
         *
         * @param r r1 = the payload it read.
         */
        @Actor
        public void consume(final JJ_Result r)
        {
            final int offset = consumer.front();
            r.r1 = consumer.buffer().getLong(offset + 8);
            consumer.pop();
        }
    }
}
