package io.tcpshm.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamesTest
{
    @ParameterizedTest
    @ValueSource(strings = {"a", "client-1", "A_b.c", "...", ".a", "a.", "a b", "~!@#$%^&*()+=,;", "[]{}<>?|\"'`", "back\\slash",
        "123456789012345"})
    void accepted(final String name)
    {
        assertThat(Names.problem(name, 16)).isNull();
        Names.requireValidLocal("clientName", name, 16);
    }

    @Test
    void emptyOrNull()
    {
        assertThat(Names.problem("", 16)).isEqualTo("is empty");
        assertThat(Names.problem(null, 16)).isEqualTo("is empty");
    }

    @Test
    void dotAndDotDot()
    {
        assertThat(Names.problem(".", 16)).isEqualTo("is '.'");
        assertThat(Names.problem("..", 16)).isEqualTo("is '..'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "/", "/etc", "a/", "../x"})
    void slash(final String name)
    {
        assertThat(Names.problem(name, 16)).isEqualTo("contains '/'");
    }

    @Test
    void controlCharactersAreRefused()
    {
        assertThat(Names.problem("a\nb", 16)).isEqualTo("contains a control character (U+000A)");
        assertThat(Names.problem("a\0", 16)).isEqualTo("contains a control character (U+0000)");
        assertThat(Names.problem("\u001f", 16)).contains("U+001F");
        assertThat(Names.problem("del\u007f", 16)).contains("U+007F");
        assertThat(Names.problem("c1\u0085", 16)).contains("U+0085");
        assertThat(Names.problem("ok\ud800", 16)).contains("lone surrogate");
    }

    /** UTF-8 names are names: a C++ peer takes any bytes, and such a name can name a file in a UTF-8 JVM. */
    @ParameterizedTest
    @ValueSource(strings = {"caf\u00e9", "\u4e2d\u6587", "\u00fcber-\u00e9", "emoji\ud83d\ude00", "\u00a0nbsp",
        "sign\ud836\udc00"})
    void utf8NamesAreAccepted(final String name)
    {
        assertThat(Names.problem(name, 16, StandardCharsets.UTF_8)).isNull();
    }

    @Test
    void theLimitCountsUtf8Bytes()
    {
        // 5 characters of 3 bytes each: 15 bytes fit a 16-byte field, 6 do not
        assertThat(Names.problem("\u4e2d".repeat(5), 16, StandardCharsets.UTF_8)).isNull();
        assertThat(Names.problem("\u4e2d".repeat(6), 16, StandardCharsets.UTF_8))
            .isEqualTo("is longer than nameSize - 1 = 15 bytes (18 in UTF-8)");
    }

    @Test
    void aJvmWhoseFileNamesAreAsciiRefusesOtherNamesWithTheRemedy()
    {
        assertThat(Names.problem("caf\u00e9", 16, StandardCharsets.US_ASCII))
            .isEqualTo("cannot be a file name in this JVM, whose file names are US-ASCII (sun.jnu.encoding): " +
                "start it with a UTF-8 locale, e.g. LC_ALL=C.UTF-8");
        assertThat(Names.problem("cafe", 16, StandardCharsets.US_ASCII)).isNull();
        // Latin-1 could write it, but as byte e9 where a C++ peer's file name holds c3 a9: another file
        assertThat(Names.problem("caf\u00e9", 16, StandardCharsets.ISO_8859_1)).startsWith("cannot be a file name");
    }

    @Test
    void tooLongForTheNameField()
    {
        assertThat(Names.problem("x".repeat(15), 16)).isNull();
        assertThat(Names.problem("x".repeat(16), 16)).isEqualTo("is longer than nameSize - 1 = 15 bytes (16 in UTF-8)");
        assertThat(Names.problem("x".repeat(7), 8)).isNull();
        assertThat(Names.problem("x".repeat(8), 8)).contains("nameSize - 1 = 7");
        assertThat(Names.problem("x", 2)).isNull();
        assertThat(Names.problem("xy", 2)).isNotNull();
    }

    @Test
    void requireValidLocalNamesTheSettingAndTheProblem()
    {
        assertThatThrownBy(() -> Names.requireValidLocal("serverName", "a/b", 16))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("serverName 'a/b' contains '/'");
        assertThatThrownBy(() -> Names.requireValidLocal("clientName", "", 16))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("clientName").hasMessageContaining("is empty");
        assertThatThrownBy(() -> Names.requireValidLocal("clientName", "x".repeat(20), 16))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("clientName").hasMessageContaining("longer than nameSize - 1 = 15");
    }

    @Test
    void fileNames()
    {
        final Path dir = Path.of("/tmp/x");
        assertThat(Names.ptcpFile(dir, "client", "server")).isEqualTo(Path.of("/tmp/x/client_server.ptcp"));
        assertThat(Names.shmFile(dir, "server", "client")).isEqualTo(Path.of("/tmp/x/server_client.shm"));
        assertThat(Names.lastServerFile(dir, "client")).isEqualTo(Path.of("/tmp/x/client.lastserver"));
    }
}
