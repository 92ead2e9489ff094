package io.tcpshm.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.tcpshm.bench.RttHistograms.MAX_RTT_NS;
import static io.tcpshm.bench.RttHistograms.newHistogram;

/**
 * The C floor of the SHM ping-pong rows: {@code shm-pingpong-floor.c}, a resource of this jar, built with the
 * system's C compiler at the start of a run and run as the two processes of a row, as the Java floor
 * ({@link RawShmPingPong}) is. Where there is no compiler, or it fails, the rows say so and the run goes on.
 */
final class CFloor
{
    /** The scenario name of the C floor's rows. */
    static final String SCENARIO = "c-shm-pingpong";
    private static final String SOURCE = "c/shm-pingpong-floor.c";
    private static final String[] COMPILERS = {"cc", "gcc", "clang"};

    private final Path executable;
    private final String skipped;

    private CFloor(final Path executable, final String skipped)
    {
        this.executable = executable;
        this.skipped = skipped;
    }

    /**
     * Compiles the floor into {@code dir} with the first C compiler found on the PATH.
     *
     * @param dir a scratch directory of this run.
     * @return the floor, available or with the reason it is not.
     * @throws IOException if the source cannot be written.
     * @throws InterruptedException if interrupted while the compiler runs.
     */
    static CFloor build(final Path dir) throws IOException, InterruptedException
    {
        return build(dir, System.getenv("PATH"));
    }

    /**
     * As {@link #build(Path)}, looking for the compiler in {@code searchPath}.
     *
     * @param dir a scratch directory of this run.
     * @param searchPath directories separated as in PATH, or null.
     * @return the floor, available or with the reason it is not.
     * @throws IOException if the source cannot be written.
     * @throws InterruptedException if interrupted while the compiler runs.
     */
    static CFloor build(final Path dir, final String searchPath) throws IOException, InterruptedException
    {
        final Path compiler = findCompiler(searchPath);
        if (compiler == null)
        {
            return new CFloor(null, "no C compiler (cc, gcc or clang on the PATH)");
        }
        final Path source = dir.resolve("shm-pingpong-floor.c");
        try (InputStream in = CFloor.class.getResourceAsStream(SOURCE))
        {
            if (in == null)
            {
                return new CFloor(null, "the C source is missing from the jar");
            }
            Files.copy(in, source);
        }
        final Path exe = dir.resolve("shm-pingpong-floor");
        final Path log = dir.resolve("cc.log");
        final Process cc = new ProcessBuilder(compiler.toString(), "-O2", "-o", exe.toString(), source.toString())
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!cc.waitFor(60, TimeUnit.SECONDS))
        {
            cc.destroyForcibly();
            return new CFloor(null, compiler + " did not finish in 60 s");
        }
        if (cc.exitValue() != 0 || !Files.isExecutable(exe))
        {
            return new CFloor(null, compiler + " failed (exit " + cc.exitValue() + "): " +
                Files.readString(log, StandardCharsets.UTF_8).strip());
        }
        return new CFloor(exe, null);
    }

    private static Path findCompiler(final String path)
    {
        if (path == null)
        {
            return null;
        }
        for (final String name : COMPILERS)
        {
            for (final String dir : path.split(java.io.File.pathSeparator))
            {
                final Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /** @return true when the floor was built and its rows can run. */
    boolean available()
    {
        return executable != null;
    }

    /** @return why the floor's rows are skipped, or null when they run. */
    String skipped()
    {
        return skipped;
    }

    /**
     * @param role "server" or "client".
     * @param args the row's key=value options (the program reads shmDir, payload, warmupMs, measureMs, result).
     * @return the command line of one side.
     */
    List<String> command(final String role, final List<String> args)
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(executable.toString());
        cmd.add(role);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Reads the client's round trips ("nanoseconds count" per line) into a result row.
     *
     * @param file the client's result file.
     * @param name the row's name.
     * @return the row.
     * @throws IOException if the file cannot be read or holds anything else.
     */
    static BenchResult readResult(final Path file, final String name) throws IOException
    {
        final Histogram h = newHistogram();
        for (final String line : Files.readAllLines(file, StandardCharsets.US_ASCII))
        {
            final String[] parts = line.split(" ");
            if (parts.length != 2)
            {
                throw new IOException("unexpected line in " + file + ": " + line);
            }
            h.recordValueWithCount(Math.min(Long.parseLong(parts[0]), MAX_RTT_NS), Long.parseLong(parts[1]));
        }
        return new BenchResult(BenchResult.RTT, name).latency(h);
    }
}
