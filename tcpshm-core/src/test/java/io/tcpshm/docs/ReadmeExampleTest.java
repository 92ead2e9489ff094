package io.tcpshm.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's Java examples compile against the current API: each {@code ```java} block that declares a
 * public class is compiled as it stands, so a change of the API that the README does not follow fails here.
 */
class ReadmeExampleTest
{
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("public (?:final )?class (\\w+)");

    @TempDir
    Path tmp;

    @Test
    void theReadmeJavaExamplesCompile() throws Exception
    {
        final String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        final List<Path> sources = new ArrayList<>();
        final Matcher block = BLOCK.matcher(readme);
        while (block.find())
        {
            final String code = block.group(1);
            final Matcher name = CLASS.matcher(code);
            assertThat(name.find()).as("a README Java block declares a public class:%n%s", code).isTrue();
            final Path source = tmp.resolve(name.group(1) + ".java");
            Files.writeString(source, code, StandardCharsets.UTF_8);
            sources.add(source);
        }
        assertThat(sources).as("Java blocks in the README").isNotEmpty();

        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8))
        {
            final Path out = Files.createDirectories(tmp.resolve("classes"));
            final List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString(),
                "-Xlint:none");
            final boolean ok = compiler.getTask(null, files, diagnostics, options, null,
                files.getJavaFileObjectsFromPaths(sources)).call();
            final List<String> errors = new ArrayList<>();
            for (final Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics())
            {
                if (d.getKind() == Diagnostic.Kind.ERROR)
                {
                    errors.add(d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(null));
                }
            }
            assertThat(errors).as("compile errors").isEmpty();
            assertThat(ok).isTrue();
        }
    }
}
