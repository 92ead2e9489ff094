package io.tcpshm.testing;

import io.tcpshm.TcpShmConfig;

import java.nio.file.Path;

/**
 * Configuration presets of the tests, which run client and server on a fake clock ({@code AtomicLong}
 * starting at {@link #T0}) that moves only when a test moves it.
 */
public final class TestConfigs
{
    /** Where the tests' fake clocks start: far from 0, so that "time 0" never looks like a real stamp. */
    public static final long T0 = 1000;

    private TestConfigs()
    {
    }

    /**
     * Rings in {@code shmDir}, and timeouts (an idle connection's, a new connection's) that never fire however
     * far a test moves the clock: for tests about anything but timeouts.
     *
     * @param shmDir the directory of the SHM rings.
     * @return a builder to add the test's own settings to.
     */
    public static TcpShmConfig.Builder noTimeouts(final Path shmDir)
    {
        return TcpShmConfig.builder().shmDir(shmDir).connectionTimeout(1_000_000).newConnectionTimeout(1_000_000);
    }
}
