package io.tcpshm.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Maps a file and unmaps it deterministically, in the way the running JDK allows; chosen once.
 *
 * <p>On JDK 22 and later the file is mapped through the final Foreign Function and Memory API
 * ({@code FileChannel.map(..., Arena)}) and unmapped by closing a shared arena, which the JVM makes safe
 * against concurrent access. On JDK 17 to 21 the mapping is a plain {@link MappedByteBuffer} released
 * with {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported}, open to every class path; it
 * prints no warning there). Both are reached reflectively so that the library compiles for Java 17 and
 * needs no JVM flag.
 */
abstract class Mapper
{
    /** The mapper of this JVM. */
    static final Mapper INSTANCE = create();

    /**
     * @param channel  the open file.
     * @param size     bytes to map from offset 0.
     * @param arenaOut receives the arena to pass to {@link #unmap} (null when there is none).
     * @return the mapping, in native byte order.
     * @throws IOException when the file cannot be mapped.
     */
    abstract ByteBuffer map(FileChannel channel, int size, Object[] arenaOut) throws IOException;

    /**
     * @param buffer the mapping.
     * @param arena  what {@link #map} returned in {@code arenaOut}.
     */
    abstract void unmap(ByteBuffer buffer, Object arena);

    private static Mapper create()
    {
        if (Runtime.version().feature() >= 22)
        {
            try
            {
                return new FfmMapper();
            }
            catch (final ReflectiveOperationException ex)
            {
                // fall through to the cleaner
            }
        }
        return new CleanerMapper();
    }

    /**
     * JDK 22+: {@code Arena.ofShared()}, {@code FileChannel.map(mode, 0, size, arena)},
     * {@code segment.asByteBuffer()}, and {@code arena.close()} to unmap.
     */
    private static final class FfmMapper extends Mapper
    {
        private final MethodHandle ofShared;
        private final MethodHandle map;
        private final MethodHandle asByteBuffer;
        private final MethodHandle close;

        FfmMapper() throws ReflectiveOperationException
        {
            final MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            final Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");
            final Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
            ofShared = lookup.findStatic(arenaClass, "ofShared", MethodType.methodType(arenaClass));
            map = lookup.findVirtual(FileChannel.class, "map", MethodType.methodType(
                segmentClass, FileChannel.MapMode.class, long.class, long.class, arenaClass));
            asByteBuffer = lookup.findVirtual(segmentClass, "asByteBuffer", MethodType.methodType(ByteBuffer.class));
            close = lookup.findVirtual(arenaClass, "close", MethodType.methodType(void.class));
        }

        @Override
        ByteBuffer map(final FileChannel channel, final int size, final Object[] arenaOut) throws IOException
        {
            Object arena = null;
            try
            {
                arena = ofShared.invoke();
                final Object segment = map.invoke(channel, FileChannel.MapMode.READ_WRITE, 0L, (long)size, arena);
                final ByteBuffer buffer = (ByteBuffer)asByteBuffer.invoke(segment);
                arenaOut[0] = arena;
                return buffer.order(ByteOrder.nativeOrder());
            }
            catch (final IOException | RuntimeException | Error ex)
            {
                unmap(null, arena);
                throw ex;
            }
            catch (final Throwable ex)
            {
                unmap(null, arena);
                throw new IOException(ex);
            }
        }

        @Override
        void unmap(final ByteBuffer buffer, final Object arena)
        {
            if (arena == null)
            {
                return;
            }
            try
            {
                close.invoke(arena);
            }
            catch (final RuntimeException | Error ex)
            {
                throw ex;
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }

    /**
     * JDK 17 to 21: {@code FileChannel.map} and {@code Unsafe.invokeCleaner}; if the cleaner is
     * unavailable the mapping is left to the garbage collector.
     */
    private static final class CleanerMapper extends Mapper
    {
        private final MethodHandle invokeCleaner;

        CleanerMapper()
        {
            MethodHandle handle;
            try
            {
                final Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
                final java.lang.reflect.Field field = unsafeClass.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                final Object unsafe = field.get(null);
                handle = MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
            }
            catch (final ReflectiveOperationException | RuntimeException ex)
            {
                handle = null;
            }
            invokeCleaner = handle;
        }

        @Override
        ByteBuffer map(final FileChannel channel, final int size, final Object[] arenaOut) throws IOException
        {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, size).order(ByteOrder.nativeOrder());
        }

        @Override
        void unmap(final ByteBuffer buffer, final Object arena)
        {
            if (invokeCleaner == null || buffer == null)
            {
                return;
            }
            try
            {
                invokeCleaner.invokeExact(buffer);
            }
            catch (final RuntimeException | Error ex)
            {
                throw ex;
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }
}
