package io.tcpshm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review finding: files were created sparse, so on a full file system (a small {@code /dev/shm}, as
 * in a container, or a full disk) the first store through the mapping faulted, and the JVM's
 * {@code InternalError} escaped {@code pollCtl}: the server's polling thread died. Files are now
 * written in full when created, so "no space left" is an {@code IOException} at login or
 * construction, and a fault that still happens in a poll closes only its connection.
 *
 * <p>The checks run in a child JVM ({@link FullDiskProbe}) in a mount namespace of its own with a
 * 256 KiB tmpfs: {@code unshare} from util-linux, as root or, for other users, in a user namespace
 * too ({@code unshare -r}).
 */
class FullFileSystemTest
{
    @TempDir
    Path tmp;

    @Test
    void aFullFileSystemIsAClearErrorAtLoginAndNeverAFaultInAPoll() throws Exception
    {
        final Path small = Files.createDirectories(tmp.resolve("small"));
        final Path disk = Files.createDirectories(tmp.resolve("disk"));
        final String java = ProcessHandle.current().info().command().orElse(
            Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final List<String> command = new ArrayList<>();
        command.add("unshare");
        if (!"root".equals(System.getProperty("user.name")))
        {
            command.add("-r"); // a user namespace, in which this user may mount
        }
        command.addAll(List.of("-m", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs -o size=256k tmpfs \"$0\" && exec \"$@\"", small.toString(),
            java, "-cp", System.getProperty("java.class.path"), FullDiskProbe.class.getName(), small.toString(),
            disk.toString()));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final boolean done = p.waitFor(180, TimeUnit.SECONDS);
        if (!done)
        {
            p.destroyForcibly();
        }
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(done).as("the probe finished; its output:%n%s", out).isTrue();
        assertThat(p.exitValue()).as("the probe's exit code; its output:%n%s", out).isZero();
        // every scenario ran (a probe that stopped early would also exit non-zero, but say which ran)
        assertThat(out.lines().filter(l -> l.startsWith("ok ")).count()).as(out).isEqualTo(21);
        assertThat(out).doesNotContain("FAILED");
    }
}
