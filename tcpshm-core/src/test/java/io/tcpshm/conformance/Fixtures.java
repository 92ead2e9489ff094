package io.tcpshm.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpshm.TcpShmConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The captures of C++ peers in the test resources ({@code src/test/resources/cpp-captures}, described
 * in its README) and their decoding in {@code fixtures.json}. Loaded once per JVM from the test class
 * path, so they travel with the repository; a missing folder fails every test that uses it, with a
 * message saying where it was looked for (never a silent skip).
 */
final class Fixtures
{
    static final HexFormat HEX = HexFormat.of();

    /** Where the captures are on the test class path. */
    static final String RESOURCE = "/cpp-captures";

    private static Fixtures instance;

    final Path dir;
    final JsonNode root;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private Fixtures(final Path dir, final JsonNode root)
    {
        this.dir = dir;
        this.root = root;
        for (final JsonNode f : root.get("files"))
        {
            final Entry e = new Entry(this, f);
            entries.put(e.name(), e);
        }
    }

    static synchronized Fixtures get()
    {
        if (instance == null)
        {
            final URL url = Fixtures.class.getResource(RESOURCE + "/fixtures.json");
            assertThat(url).as("the C++ captures are missing from the test class path: looked for " + RESOURCE +
                "/fixtures.json (src/test/resources/cpp-captures)").isNotNull();
            final Path json = toPath(url);
            final Path dir = json.getParent();
            try
            {
                instance = new Fixtures(dir, new ObjectMapper().readTree(json.toFile()));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read " + json, ex);
            }
        }
        return instance;
    }

    private static Path toPath(final URL url)
    {
        assertThat(url.getProtocol()).as("the C++ captures must be files (test-classes), not inside a jar: " + url)
            .isEqualTo("file");
        try
        {
            return Path.of(url.toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException("cannot read " + url, ex);
        }
    }

    Entry entry(final String name)
    {
        final Entry e = entries.get(name);
        assertThat(e).as("fixtures.json has no entry for " + name).isNotNull();
        return e;
    }

    List<Entry> entries(final String kind)
    {
        final List<Entry> list = new ArrayList<>();
        for (final Entry e : entries.values())
        {
            if (e.kind().equals(kind))
            {
                list.add(e);
            }
        }
        assertThat(list).as("fixtures of kind " + kind).isNotEmpty();
        return list;
    }

    List<Entry> all()
    {
        return new ArrayList<>(entries.values());
    }

    /**
     * A configuration exactly as fixtures.json lists its docs/PROTOCOL.md settings (A: the defaults, B:
     * big-endian, C: 8-byte user data; the timeouts are the harness's 1000000).
     */
    TcpShmConfig.Builder configBuilder(final String letter)
    {
        final JsonNode s = root.get("configurations").get(letter).get("settings");
        assertThat(s).as("configuration " + letter).isNotNull();
        return TcpShmConfig.builder()
            .nameSize(s.get("nameSize").asInt())
            .shmQueueSize(s.get("shmQueueSize").asInt())
            .toLittleEndian(s.get("toLittleEndian").asBoolean())
            .tcpQueueSize(s.get("tcpQueueSize").asInt())
            .tcpReceiveBufferInitialSize(s.get("tcpRecvBufInitSize").asInt())
            .tcpReceiveBufferMaxSize(s.get("tcpRecvBufMaxSize").asInt())
            .tcpNoDelay(s.get("tcpNoDelay").asBoolean())
            .connectionTimeout(s.get("connectionTimeout").asLong())
            .heartbeatInterval(s.get("heartBeatInterval").asLong())
            .loginUserData(s.get("loginUserDataSize").asInt(), s.get("loginUserDataAlign").asInt())
            .loginResponseUserData(s.get("loginRspUserDataSize").asInt(), s.get("loginRspUserDataAlign").asInt())
            .maxNewConnections(s.get("maxNewConnections").asInt())
            .maxShmGroups(s.get("maxShmGrps").asInt())
            .maxShmConnectionsPerGroup(s.get("maxShmConnsPerGrp").asInt())
            .maxTcpGroups(s.get("maxTcpGrps").asInt())
            .maxTcpConnectionsPerGroup(s.get("maxTcpConnsPerGrp").asInt())
            .newConnectionTimeout(s.get("newConnectionTimeout").asLong());
    }

    TcpShmConfig config(final String letter)
    {
        return configBuilder(letter).build();
    }

    /** The C++ processes' log lines of one scenario. */
    List<String> harnessLog(final String scenario)
    {
        final List<String> lines = new ArrayList<>();
        root.get("harnessEventLog").get(scenario).forEach(n -> lines.add(n.asText()));
        assertThat(lines).as("harnessEventLog." + scenario).isNotEmpty();
        return lines;
    }

    static byte[] hex(final String hex)
    {
        return HEX.parseHex(hex);
    }

    static String hex(final byte[] bytes)
    {
        return HEX.formatHex(bytes);
    }

    /** One data file of fixtures.json. */
    static final class Entry
    {
        private final Fixtures fixtures;
        final JsonNode json;
        private byte[] bytes;

        Entry(final Fixtures fixtures, final JsonNode json)
        {
            this.fixtures = fixtures;
            this.json = json;
        }

        String name()
        {
            return json.get("file").asText();
        }

        String kind()
        {
            return json.get("kind").asText();
        }

        String configuration()
        {
            return json.get("configuration").asText();
        }

        TcpShmConfig config()
        {
            return fixtures.config(configuration());
        }

        Path path()
        {
            return fixtures.dir.resolve(name());
        }

        /** The real file's bytes, checked against the JSON's size and sha256. */
        byte[] bytes()
        {
            if (bytes == null)
            {
                final Path p = path();
                assertThat(Files.isRegularFile(p)).as("fixture file missing: " + p).isTrue();
                try
                {
                    bytes = Files.readAllBytes(p);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
                assertThat(bytes.length).as(name() + ": size against fixtures.json").isEqualTo(json.get("bytes").asInt());
                assertThat(sha256(bytes)).as(name() + ": sha256 against fixtures.json").isEqualTo(json.get("sha256").asText());
            }
            return bytes.clone();
        }

        /** Copies the file into {@code dir} under {@code fileName} (tests never write to the captures themselves). */
        Path copyTo(final Path dir, final String fileName)
        {
            final Path target = dir.resolve(fileName);
            try
            {
                Files.write(target, bytes());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            return target;
        }

        /** Copies the file into {@code dir} under its real name ({@code fileName} in the JSON). */
        Path copyTo(final Path dir)
        {
            return copyTo(dir, json.get("fileName").asText());
        }

        /** Byte ranges a conforming writer need not reproduce: [offset, length] pairs. */
        List<int[]> ignorable()
        {
            final JsonNode ranges = json.has("ignorableBytes") ? json.get("ignorableBytes") : json.get("ignorableRanges");
            assertThat(ranges).as(name() + ": ignorable ranges").isNotNull();
            final List<int[]> list = new ArrayList<>();
            ranges.forEach(r -> list.add(new int[] {r.get("offset").asInt(), r.get("length").asInt()}));
            return list;
        }

        JsonNode frames()
        {
            return json.get("frames");
        }

        /** Frames of one kind (login, loginRsp, heartbeat, app) in stream order. */
        List<JsonNode> frames(final String kind)
        {
            final List<JsonNode> list = new ArrayList<>();
            frames().forEach(f ->
            {
                if (f.get("kind").asText().equals(kind))
                {
                    list.add(f);
                }
            });
            return list;
        }

        /** Captured stream chunks as [offset, length]. */
        List<int[]> chunks()
        {
            final List<int[]> list = new ArrayList<>();
            json.get("chunks").forEach(c -> list.add(new int[] {c.get("offset").asInt(), c.get("length").asInt()}));
            return list;
        }

        long indexField(final String name)
        {
            for (final JsonNode f : json.get("indexFields"))
            {
                if (f.get("name").asText().equals(name))
                {
                    return f.get("value").asLong();
                }
            }
            return fail(name() + " has no index field " + name);
        }

        @Override
        public String toString()
        {
            return name();
        }
    }

    static String sha256(final byte[] bytes)
    {
        try
        {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static boolean isIgnorable(final List<int[]> ranges, final int offset)
    {
        for (final int[] r : ranges)
        {
            if (offset >= r[0] && offset < r[0] + r[1])
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Asserts that {@code actual} has the capture's length and equals it at every byte outside the
     * capture's ignorable ranges (and outside {@code extraIgnored}, each documented by the caller);
     * the message lists the differing offsets.
     */
    static void assertSameOutsideIgnorable(final String what, final byte[] actual, final Entry capture,
        final List<int[]> extraIgnored)
    {
        final byte[] expected = capture.bytes();
        final List<int[]> ignorable = new ArrayList<>(capture.ignorable());
        ignorable.addAll(extraIgnored);
        assertThat(actual.length).as(what + ": length against " + capture.name() +
            "\nactual   " + hex(actual) + "\nexpected " + hex(expected)).isEqualTo(expected.length);
        final StringBuilder diffs = new StringBuilder();
        for (int i = 0; i < expected.length; i++)
        {
            if (actual[i] != expected[i] && !isIgnorable(ignorable, i))
            {
                diffs.append(String.format("@%d: ours %02x, C++ %02x%n", i, actual[i] & 0xFF, expected[i] & 0xFF));
            }
        }
        assertThat(diffs.toString()).as(what + ": bytes outside the ignorable ranges of " + capture.name() +
            "\nactual   " + hex(actual) + "\nexpected " + hex(expected)).isEmpty();
    }

    /**
     * The {@code ackSeq} bytes of the heartbeats in a capture of an SHM session's TCP link. A C++ peer
     * sends 0 there and reads nothing from it; a Java peer sends its ring mark (docs/PROTOCOL.md, "The
     * TCP link of an SHM connection"), which {@code ShmRingMarkTest} checks against the ring file.
     */
    static List<int[]> shmLinkHeartbeatAcks(final Entry capture)
    {
        final List<int[]> ranges = new ArrayList<>();
        for (final JsonNode f : capture.frames("heartbeat"))
        {
            ranges.add(new int[] {f.get("offset").asInt() + 4, 4});
        }
        return ranges;
    }

    static void assertSameOutsideIgnorable(final String what, final byte[] actual, final Entry capture)
    {
        assertSameOutsideIgnorable(what, actual, capture, List.of());
    }

    static Path copyFile(final Path from, final Path to)
    {
        try
        {
            return Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] readFile(final Path p)
    {
        try
        {
            return Files.readAllBytes(p);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Client payload convention (README): byte i of a message of type t is (16 t + i) & 0xff. */
    static byte[] clientPayload(final int type, final int length)
    {
        final byte[] p = new byte[length];
        for (int i = 0; i < length; i++)
        {
            p[i] = (byte)(16 * type + i);
        }
        return p;
    }

    /** Server reply convention (README): the ASCII text "ack:&lt;t&gt;:&lt;L&gt;". */
    static byte[] replyPayload(final int type, final int length)
    {
        return ("ack:" + type + ":" + length).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
