package io.tcpshm.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code inspect} reads files written by a C++ tcpshm peer: the captures in core's test resources
 * ({@code cpp-captures}, described in its fixtures.json), copied under the names a C++ peer gives them.
 */
class InspectCppFilesTest
{
    private static final String CAPTURES = "/cpp-captures/";

    @TempDir
    Path tmp;

    /** Opens a capture from core's test-jar (a file or a jar entry, whichever the build resolved). */
    private static InputStream capture(final String name)
    {
        final InputStream in = InspectCppFilesTest.class.getResourceAsStream(CAPTURES + name);
        assertThat(in).as("the C++ capture %s is missing from the test class path (tcpshm-core's test-jar, " +
            "src/test/resources/cpp-captures)", name).isNotNull();
        return in;
    }

    private static void copy(final String name, final Path target) throws Exception
    {
        try (InputStream in = capture(name))
        {
            Files.copy(in, target);
        }
    }

    private static JsonNode inspect(final String... args) throws Exception
    {
        final CommandRun run = CommandRun.run(args);
        assertThat(run.exit).as(run.toString()).isZero();
        return new ObjectMapper().readTree(run.out);
    }

    @Test
    void readsCppQueuesRingsAndLastServer() throws Exception
    {
        final Path client = Files.createDirectories(tmp.resolve("client"));
        final Path shm = Files.createDirectories(tmp.resolve("shm"));
        // tcp-resume/client_offline: w=12 r=0 s=3 readSeq=7 myAck=7; seq 7 sent, 8..10 not yet sent (cpp-captures README)
        copy("tcp-resume/client_offline.cli_srv.ptcp", client.resolve("cli_srv.ptcp"));
        copy("tcp-fresh/cli.lastserver", client.resolve("cli.lastserver"));
        // shm/cli_srv.shm: writeIdx 39, readIdx 21, unconsumed types 7, 8, 9, a rewind marker, 10
        copy("shm/cli_srv.shm", shm.resolve("cli_srv.shm"));
        copy("shm/srv_cli.shm", shm.resolve("srv_cli.shm"));
        final JsonNode view = inspect("inspect", client.toString(), "--shm-dir", shm.toString(), "--json");

        final JsonNode fixturesJson;
        try (InputStream in = capture("fixtures.json"))
        {
            fixturesJson = new ObjectMapper().readTree(in);
        }
        JsonNode ptcpFixture = null;
        JsonNode ringFixture = null;
        for (final JsonNode file : fixturesJson.get("files"))
        {
            if (file.get("file").asText().endsWith("tcp-resume/client_offline.cli_srv.ptcp"))
            {
                ptcpFixture = file;
            }
            if (file.get("file").asText().endsWith("shm/cli_srv.shm"))
            {
                ringFixture = file;
            }
        }
        assertThat(ptcpFixture).isNotNull();
        assertThat(ringFixture).isNotNull();

        assertThat(view.get("lastServers").get("cli").asText()).isEqualTo("srv");
        final JsonNode q = view.get("ptcp").get(0);
        assertThat(q.get("local").asText()).isEqualTo("cli");
        assertThat(q.get("remote").asText()).isEqualTo("srv");
        assertThat(q.get("sanity").asText()).isEqualTo("ok");
        for (final JsonNode field : ptcpFixture.get("indexFields"))
        {
            assertThat(q.get(field.get("name").asText()).asLong()).as(field.get("name").asText())
                .isEqualTo(field.get("value").asLong());
        }
        assertThat(q.get("seqStart").asLong()).isEqualTo(ptcpFixture.get("seqStart").asLong());
        assertThat(q.get("seqEnd").asLong()).isEqualTo(ptcpFixture.get("seqEnd").asLong());
        assertThat(q.get("messagesQueued").asLong()).isEqualTo(ptcpFixture.get("queued").size());
        long notSent = 0;
        for (final JsonNode m : ptcpFixture.get("queued"))
        {
            if (!m.get("state").asText().equals("sent"))
            {
                notSent += 8L * m.get("blocks").asLong();
            }
        }
        assertThat(q.get("bytesNotYetSent").asLong()).isEqualTo(notSent);

        JsonNode ring = null;
        for (final JsonNode r : view.get("shm"))
        {
            if (r.get("sender").asText().equals("cli"))
            {
                ring = r;
            }
        }
        assertThat(ring).isNotNull();
        assertThat(ring.get("sanity").asText()).isEqualTo("ok");
        long messages = 0;
        for (final JsonNode u : ringFixture.get("unconsumed"))
        {
            if (u.path("kind").asText().equals("message"))
            {
                messages++;
            }
        }
        assertThat(ring.get("messagesUnconsumed").asLong()).isEqualTo(messages);
        assertThat(ring.get("mark").asLong()).as("a C++ producer leaves the mark's bytes zero").isZero();
        for (final JsonNode field : ringFixture.get("indexFields"))
        {
            final String name = field.get("name").asText();
            if (name.equals("writeIdx") || name.equals("readIdx"))
            {
                assertThat(ring.get(name).asLong()).as(name).isEqualTo(field.get("value").asLong());
            }
        }
    }
}
