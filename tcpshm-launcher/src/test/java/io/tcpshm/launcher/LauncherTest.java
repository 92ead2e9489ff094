package io.tcpshm.launcher;

import io.tcpshm.tools.CommandRun;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code tcpshm} command as the modules assemble it: with every module on the class path (as in
 * {@code bin/tcpshm}'s jar) it offers every subcommand; the operating tools' own jar offers only theirs and
 * carries no benchmark code, Aeron or JMH.
 */
class LauncherTest
{
    private static final List<String> TOOLS = List.of("inspect", "reset", "stat");

    @Test
    void everyModuleContributesItsSubcommands()
    {
        final CommandRun run = CommandRun.run("--help");
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(commands(run.out)).containsExactlyInAnyOrder(
            "inspect", "reset", "stat", "help", "echo-server", "echo-client", "demo", "chaos", "chaos-crowd", "bench");
    }

    @Test
    void theToolsJarRunsAloneWithOnlyTheOperatingTools() throws Exception
    {
        final Path jar = toolsJar();
        final Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar", jar.toString(), "--help").redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        final List<String> expected = new ArrayList<>(TOOLS);
        expected.add("help");
        assertThat(commands(out)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void theToolsJarCarriesNoBenchmarkCodeAeronOrJmh() throws IOException
    {
        try (JarFile jar = new JarFile(toolsJar().toFile()))
        {
            final List<String> names = jar.stream().map(e -> e.getName()).toList();
            assertThat(names).contains("io/tcpshm/tools/Main.class", "io/tcpshm/TcpShmClient.class",
                "picocli/CommandLine.class");
            assertThat(names).noneMatch(n -> n.startsWith("io/aeron/") || n.startsWith("org/agrona/") ||
                n.startsWith("org/openjdk/jmh/") || n.startsWith("io/tcpshm/bench/") ||
                n.startsWith("io/tcpshm/samples/") || n.startsWith("io/tcpshm/harness/"));
        }
    }

    /** The tools module's shaded jar, built in its package phase, which a reactor build runs before this module. */
    private static Path toolsJar()
    {
        final Path jar = Path.of(System.getProperty("tcpshm.tools.jar", "../tcpshm-tools/target/tcpshm-tools.jar"));
        assertThat(Files.isRegularFile(jar)).as(jar.toAbsolutePath() +
            " is missing: build the tools module first (./mvnw package -pl tcpshm-launcher -am)").isTrue();
        return jar;
    }

    /** The subcommand names of a picocli usage text: the indented first words after "Commands:". */
    private static List<String> commands(final String usage)
    {
        final List<String> names = new ArrayList<>();
        final int at = usage.indexOf("Commands:");
        assertThat(at).as(usage).isNotNegative();
        final Matcher m = Pattern.compile("(?m)^  ([a-z][a-z-]*)\\b").matcher(usage.substring(at));
        while (m.find())
        {
            names.add(m.group(1));
        }
        return names;
    }
}
