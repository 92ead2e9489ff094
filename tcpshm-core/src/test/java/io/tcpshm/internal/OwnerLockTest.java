package io.tcpshm.internal;

import io.tcpshm.testing.LockProbe;
import io.tcpshm.testing.OpenFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The owner lock of a name in a directory, and the files it covers: mapped with no lock and no descriptor of their
 * own, once per process.
 */
class OwnerLockTest
{
    @TempDir
    Path dir;

    @Test
    void theOwnerLockIsHeldAgainstOtherProcessesAndThisOneUntilClosed() throws Exception
    {
        final Path file = Names.ownerLockFile(dir, "srv");
        try (OwnerLock lock = OwnerLock.acquire(dir, "srv", false))
        {
            assertThat(lock.path()).isEqualTo(file);
            assertThat(LockProbe.otherProcessCanLock(file, 0, Long.MAX_VALUE)).as("another process").isFalse();
            assertThatThrownBy(() -> OwnerLock.acquire(dir, "srv", false)).isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("in use");
            // the refused second acquire closed no descriptor of the file: the lock still holds
            assertThat(LockProbe.otherProcessCanLock(file, 0, Long.MAX_VALUE)).as("after a refused acquire").isFalse();
            OwnerLock.acquire(dir, "cli", false).close(); // another name is another lock
        }
        assertThat(LockProbe.otherProcessCanLock(file, 0, Long.MAX_VALUE)).as("after close").isTrue();
        OwnerLock.acquire(dir, "srv", false).close();
    }

    @Test
    void aFileWithoutALockOfItsOwnKeepsNoDescriptorAndIsMappedOncePerProcess() throws Exception
    {
        final Path path = Names.ptcpFile(dir, "srv", "cli");
        final Map<String, Integer> before = OpenFiles.snapshot();
        try (MappedRegion region = MappedRegion.openOwned(path, 2024, false, 0, 0))
        {
            assertThat(OpenFiles.added(before, OpenFiles.snapshot())).as("descriptors left open").isEqualTo(List.of());
            region.buffer().putLong(2016, 42);
            assertThatThrownBy(() -> MappedRegion.openOwned(path, 2024, false, 0, 0)).isInstanceOf(IOException.class)
                .hasMessageContaining("in use").hasMessageContaining("this process");
            assertThatThrownBy(() -> MappedRegion.open(path, 2024, false, 0, 8)).isInstanceOf(IOException.class)
                .hasMessageContaining("in use");
            assertThat(region.buffer().getLong(2016)).as("the first mapping is intact").isEqualTo(42);
        }
        try (MappedRegion again = MappedRegion.openOwned(path, 2024, false, 0, 0))
        {
            assertThat(again.buffer().getLong(2016)).isEqualTo(42);
        }
    }
}
