package io.tcpshm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a {@link BenchNode} tells {@link BenchCommand}: the {@code READY} line a serving role prints
 * once it can be reached, and the measuring role's {@link BenchResult} written as JSON.
 */
final class NodeOutput
{
    private NodeOutput()
    {
    }

    /**
     * Prints {@code READY port} on stdout and flushes it, so the orchestrator can start the other side.
     *
     * @param port the port the server listens on, 0 when the peers meet through files.
     */
    static void ready(final int port)
    {
        System.out.println("READY " + port);
        System.out.flush();
    }

    /**
     * Writes the result to the file named by the {@code result} option.
     *
     * @param options the node's options.
     * @param result the measured row.
     * @throws IOException if the file cannot be written.
     */
    static void writeResult(final NodeOptions options, final BenchResult result) throws IOException
    {
        Files.writeString(Path.of(options.opt("result", "result.json")), result.toJson(), StandardCharsets.UTF_8);
    }
}
