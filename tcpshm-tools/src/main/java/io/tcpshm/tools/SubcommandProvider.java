package io.tcpshm.tools;

import java.util.List;

/**
 * Contributes subcommands to the {@code tcpshm} command, found with {@link java.util.ServiceLoader}: a jar
 * that lists an implementation in {@code META-INF/services/io.tcpshm.tools.SubcommandProvider} adds its
 * commands when it is on the class path. This is how the operating tools ({@code stat}, {@code inspect},
 * {@code reset}) ship in a jar of their own, without the echo programs, the chaos runner or the benchmarks
 * (and their Aeron and JMH), while {@code bin/tcpshm} offers every command.
 */
public interface SubcommandProvider
{
    /**
     * @return new instances of picocli {@code @Command} classes; each command's name comes from its annotation
     * and must not clash with another's.
     */
    List<Object> subcommands();
}
