package io.tcpshm.internal;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The single-threaded bookkeeping of {@link RetiredMappings}: what {@code isEmpty} (read by every SHM poll)
 * says after each operation, and who closes what. The two-thread hand-off is the jcstress test's.
 */
class RetiredMappingsTest
{
    /** A mapping that counts its closes. */
    private static final class Mapping implements RetiredMappings.Closeable
    {
        private final Path path;
        int closes;

        Mapping(final String name)
        {
            this.path = Path.of(name);
        }

        @Override
        public Path path()
        {
            return path;
        }

        @Override
        public void close()
        {
            closes++;
        }
    }

    private final RetiredMappings<Mapping> retired = new RetiredMappings<>();

    @Test
    void closeAllClosesEachRetiredMappingOnceAndLeavesNothingPending()
    {
        assertThat(retired.isEmpty()).isTrue();
        final Mapping a = new Mapping("a.shm");
        final Mapping b = new Mapping("b.shm");
        retired.retire(a);
        retired.retire(b);
        assertThat(retired.isEmpty()).isFalse();
        retired.closeAll();
        assertThat(retired.isEmpty()).isTrue();
        assertThat(a.closes).isEqualTo(1);
        assertThat(b.closes).isEqualTo(1);
        retired.closeAll();
        assertThat(a.closes).isEqualTo(1);
    }

    @Test
    void aMappingTakenBackIsNotClosedAndNoLongerPending()
    {
        final Mapping a = new Mapping("a.shm");
        final Mapping b = new Mapping("b.shm");
        retired.retire(a);
        retired.retire(b);
        assertThat(retired.take(Path.of("a.shm"))).isSameAs(a);
        assertThat(retired.take(Path.of("a.shm"))).isNull();
        assertThat(retired.isEmpty()).isFalse(); // b still waits for the poller
        assertThat(retired.take(Path.of("b.shm"))).isSameAs(b);
        assertThat(retired.isEmpty()).isTrue();
        retired.closeAll();
        assertThat(a.closes).isZero();
        assertThat(b.closes).isZero();
    }

    @Test
    void aCloseThatThrowsStillCountsTheMappingAsGone()
    {
        final RetiredMappings<RetiredMappings.Closeable> failing = new RetiredMappings<>();
        failing.retire(new RetiredMappings.Closeable()
        {
            @Override
            public Path path()
            {
                return Path.of("x.shm");
            }

            @Override
            public void close()
            {
                throw new IllegalStateException("unmap failed");
            }
        });
        assertThatThrownBy(failing::closeAll).hasMessage("unmap failed");
        assertThat(failing.isEmpty()).isTrue();
    }
}
