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

    @Test
    void aRingIsMappedWithoutLocksByBothEndsOfThisProcessAndKeepsNoDescriptor() throws Exception
    {
        final Path ring = Names.shmFile(dir, "cli", "srv");
        final int size = ShmRing.fileSize(2048);
        final Map<String, Integer> before = OpenFiles.snapshot();
        try (MappedRegion producer = MappedRegion.open(ring, size, false, 0, -1);
             MappedRegion consumer = MappedRegion.open(ring, size, false, 0, -1))
        {
            assertThat(OpenFiles.added(before, OpenFiles.snapshot())).as("descriptors left open").isEqualTo(List.of());
            producer.buffer().putInt(64, 0x55);
            assertThat(consumer.buffer().getInt(64)).as("one file, two mappings").isEqualTo(0x55);
            assertThat(LockProbe.otherProcessCanLock(ring, 0, Long.MAX_VALUE)).as("no lock on the ring").isTrue();
            // an exclusive mapping of a ring this process maps is refused
            assertThatThrownBy(() -> MappedRegion.openOwned(ring, size, false, 0, 0)).isInstanceOf(IOException.class)
                .hasMessageContaining("in use");
        }
    }

    @Test
    void aRegionNeverClosedAndCollectedLeavesNoRecordThatBlocksAnotherFile() throws Exception
    {
        // a caller's bug: a lockless region dropped without close; once collected, the process's record of its file
        // must not refuse a file that has been given the same inode number (which ext4 does soon after a delete)
        final Path path = Names.ptcpFile(dir, "srv", "leaked");
        MappedRegion.openOwned(path, 2024, false, 0, 0); // dropped at once
        final long deadline = System.nanoTime() + 10_000_000_000L;
        boolean stale = false;
        while (!stale && System.nanoTime() < deadline)
        {
            System.gc();
            Thread.sleep(10);
            synchronized (ProcessFiles.class)
            {
                stale = ProcessFiles.recordOf(path) != null && ProcessFiles.recordOf(path).stale();
            }
        }
        assertThat(stale).as("the record of a collected region is stale").isTrue();
        // and a stale record is dropped by the next open of that key: here the same file, as a reused inode would be
        try (MappedRegion again = MappedRegion.openOwned(path, 2024, false, 0, 0))
        {
            assertThat(again.isClosed()).isFalse();
        }
        synchronized (ProcessFiles.class)
        {
            assertThat(ProcessFiles.recordOf(path)).as("released with its region").isNull();
        }
    }

    @Test
    void theOwnerLockOfTheRingsIsTakenAtTheFirstShmSessionAndHeldUntilTheStop() throws Exception
    {
        final ShmOwnerLock owner = new ShmOwnerLock(dir, "srv", false);
        final Path file = Names.shmOwnerLockFile(dir, "srv");
        owner.ensure();
        owner.ensure(); // held already: nothing more
        assertThat(LockProbe.otherProcessCanLock(file, 0, Long.MAX_VALUE)).isFalse();
        final ShmOwnerLock second = new ShmOwnerLock(dir, "srv", false);
        assertThatThrownBy(second::ensure).isInstanceOf(IOException.class).hasMessageContaining(file.toString())
            .hasMessageContaining("in use");
        owner.close();
        assertThat(LockProbe.otherProcessCanLock(file, 0, Long.MAX_VALUE)).isTrue();
        second.ensure();
        second.close();
    }
}
