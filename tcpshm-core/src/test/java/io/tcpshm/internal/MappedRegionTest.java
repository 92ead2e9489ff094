package io.tcpshm.internal;

import io.tcpshm.testing.LockProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MappedRegionTest
{
    @TempDir
    Path dir;

    @Test
    void createsAMissingFileWithItsFullSizeZeroFilledOwnerOnly() throws Exception
    {
        final Path path = dir.resolve("new.ptcp");
        assertThat(Files.exists(path)).isFalse();
        try (MappedRegion region = MappedRegion.open(path, 1000, false, 0, 1000))
        {
            assertThat(Files.isRegularFile(path)).isTrue();
            assertThat(Files.size(path)).isEqualTo(1000);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
            final ByteBuffer b = region.buffer();
            assertThat(b.capacity()).isEqualTo(1000);
            assertThat(b.position()).isZero();
            assertThat(b.limit()).isEqualTo(1000);
            assertThat(b.isDirect()).isTrue();
            assertThat(b.order()).isEqualTo(ByteOrder.nativeOrder());
            for (int i = 0; i < 1000; i++)
            {
                assertThat(b.get(i)).isZero();
            }
            assertThat(region.path()).isEqualTo(path);
        }
    }

    @Test
    void shareWithGroupCreatesAGroupReadableWritableFile() throws Exception
    {
        final Path path = dir.resolve("group.shm");
        try (MappedRegion region = MappedRegion.open(path, 384, true, 0, 0))
        {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-rw----");
        }
    }

    @Test
    void anExistingEmptyFileGetsItsFullSize() throws Exception
    {
        final Path path = dir.resolve("empty.ptcp");
        Files.createFile(path);
        try (MappedRegion region = MappedRegion.open(path, 84, false, 0, 84))
        {
            assertThat(Files.size(path)).isEqualTo(84);
        }
    }

    @Test
    void writesReachTheFileAndSurviveReopening() throws Exception
    {
        final Path path = dir.resolve("data.ptcp");
        try (MappedRegion region = MappedRegion.open(path, 64, false, 0, 64))
        {
            region.buffer().putLong(8, 0x0102030405060708L);
        }
        try (MappedRegion region = MappedRegion.open(path, 64, false, 0, 64))
        {
            assertThat(region.buffer().getLong(8)).isEqualTo(0x0102030405060708L);
            region.zero();
            assertThat(region.buffer().getLong(8)).isZero();
        }
        assertThat(Files.readAllBytes(path)).isEqualTo(new byte[64]);
    }

    @Test
    void anExistingFileOfTheWrongSizeIsAnErrorAndIsNotResized() throws Exception
    {
        final Path path = dir.resolve("wrong.ptcp");
        final byte[] content = new byte[100];
        content[0] = 42;
        Files.write(path, content);
        assertThatThrownBy(() -> MappedRegion.open(path, 84, false, 0, 84))
            .isInstanceOf(IOException.class)
            .hasMessageContaining(path.toString())
            .hasMessageContaining("100")
            .hasMessageContaining("84");
        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        // a larger expectation does not grow it either
        assertThatThrownBy(() -> MappedRegion.open(path, 4096, false, 0, 0))
            .isInstanceOf(IOException.class).hasMessageContaining("100").hasMessageContaining("4096");
        assertThat(Files.size(path)).isEqualTo(100);
        // and the failed opens left no lock behind
        MappedRegion.open(path, 100, false, 0, 100).close();
    }

    @Test
    void aSecondOpenOfTheSameLockRangeIsRefusedAsInUse() throws Exception
    {
        final Path path = dir.resolve("a_b.ptcp");
        try (MappedRegion first = MappedRegion.open(path, 84, false, 0, 84))
        {
            assertThatThrownBy(() -> MappedRegion.open(path, 84, false, 0, 84))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(path.toString())
                .hasMessageContaining("in use");
            assertThatThrownBy(() -> MappedRegion.open(path, 84, false, 80, 4)) // overlapping part
                .isInstanceOf(IOException.class).hasMessageContaining("in use");
            assertThat(first.isClosed()).isFalse();
            first.buffer().putInt(0, 7); // the first mapping is intact
            assertThat(first.buffer().getInt(0)).isEqualTo(7);
        }
    }

    @Test
    void theTwoEndsOfARingLockDisjointRanges() throws Exception
    {
        final Path path = dir.resolve("a_b.shm");
        final int r = 2048;
        final int size = ShmRing.fileSize(2048);
        try (MappedRegion producer = MappedRegion.open(path, size, false, r, 4);
             MappedRegion consumer = MappedRegion.open(path, size, false, r + 128, 4))
        {
            producer.buffer().putInt(0, 0x55);
            assertThat(consumer.buffer().getInt(0)).isEqualTo(0x55); // same file, two mappings
            assertThatThrownBy(() -> MappedRegion.open(path, size, false, r, 4))
                .isInstanceOf(IOException.class).hasMessageContaining("in use");
            assertThatThrownBy(() -> MappedRegion.open(path, size, false, r + 128, 4))
                .isInstanceOf(IOException.class).hasMessageContaining("in use");
        }
    }

    @Test
    void closeReleasesTheLockAndIsIdempotent() throws Exception
    {
        final Path path = dir.resolve("c_d.ptcp");
        final MappedRegion first = MappedRegion.open(path, 84, false, 0, 84);
        first.close();
        assertThat(first.isClosed()).isTrue();
        first.close();
        try (MappedRegion again = MappedRegion.open(path, 84, false, 0, 84))
        {
            assertThat(again.isClosed()).isFalse();
        }
    }

    @Test
    void aMissingDirectoryIsAClearError()
    {
        final Path path = dir.resolve("no/such/dir/x.ptcp");
        assertThatThrownBy(() -> MappedRegion.open(path, 84, false, 0, 84))
            .isInstanceOf(IOException.class)
            .hasMessageContaining(path.toString())
            .hasMessageContaining("directory missing");
    }

    @Test
    void aRefusedSecondOpenDoesNotDropTheFirstLockForOtherProcesses() throws Exception
    {
        final Path path = dir.resolve("e_f.ptcp");
        try (MappedRegion first = MappedRegion.open(path, 84, false, 0, 84))
        {
            assertThat(otherProcessCanLock(path)).as("locked by this process").isFalse();
            assertThatThrownBy(() -> MappedRegion.open(path, 84, false, 0, 84)).isInstanceOf(IOException.class);
            assertThat(otherProcessCanLock(path)).as("still locked after a refused second open").isFalse();
        }
        assertThat(otherProcessCanLock(path)).as("released by close").isTrue();
    }

    @Test
    void closingOneEndOfARingKeepsTheOtherEndLockedForOtherProcesses() throws Exception
    {
        final Path path = dir.resolve("g_h.shm");
        final int r = 2048;
        final int size = ShmRing.fileSize(2048);
        try (MappedRegion producer = MappedRegion.open(path, size, false, r, 4))
        {
            final MappedRegion consumer = MappedRegion.open(path, size, false, r + 128, 4);
            assertThat(otherProcessCanLock(path, r + 128, 4)).isFalse();
            consumer.close();
            assertThat(otherProcessCanLock(path, r + 128, 4)).as("consumer end released").isTrue();
            assertThat(otherProcessCanLock(path, r, 4)).as("producer end still held").isFalse();
            producer.buffer().putInt(0, 1); // and still mapped
        }
        assertThat(otherProcessCanLock(path, r, 4)).isTrue();
    }

    private static boolean otherProcessCanLock(final Path path) throws Exception
    {
        return otherProcessCanLock(path, 0, 84);
    }

    private static boolean otherProcessCanLock(final Path path, final int position, final int length) throws Exception
    {
        return LockProbe.otherProcessCanLock(path, position, length);
    }

    /** Where hard links are refused (EPERM on some file systems), owned files are still created, atomically. */
    @Test
    void ownedFilesAreCreatedWhereHardLinksAreRefused() throws Exception
    {
        final int[] refused = {0};
        final FileCreator refusingLinks = new FileCreator((link, existing) ->
        {
            refused[0]++;
            if (refused[0] % 2 == 1)
            {
                throw new java.nio.file.FileSystemException(existing.toString(), link.toString(), "Operation not permitted");
            }
            throw new UnsupportedOperationException("no hard links");
        });
        for (final String name : new String[] {"a_b.ptcp", "a.lastserver"})
        {
            final Path path = dir.resolve(name);
            try (MappedRegion region = MappedRegion.openOwned(path, 2020, false, 0, 20, refusingLinks))
            {
                assertThat(Files.size(path)).isEqualTo(2020);
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
                region.buffer().putInt(2016, 7);
            }
            try (MappedRegion again = MappedRegion.openOwned(path, 2020, false, 0, 20))
            {
                assertThat(again.buffer().getInt(2016)).as("the same file, reopened").isEqualTo(7);
            }
        }
        assertThat(refused[0]).as("both refusals were played").isEqualTo(2);
        try (java.util.stream.Stream<Path> left = Files.list(dir))
        {
            assertThat(left.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("a_b.ptcp", "a.lastserver");
        }
    }
}
