package io.tcpshm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tcpshm-core} as the named module {@code io.tcpshm}: a program in a module of its own that
 * {@code requires io.tcpshm} compiles against it, and runs a server and two clients (one over TCP, one over
 * SHM) in a child JVM on the module path with no JVM flag, recording the flight recorder's login events and
 * reading a connection's MXBean; the
 * same classes run on the class path too; and
 * the engine's package is not exported, so a module that names it does not compile.
 */
class ModulePathTest
{
    /** A server that adds one to each number and two clients, one per transport; exit 0 when both got their answer. */
    private static final String PROGRAM = """
        package modcheck;

        import io.tcpshm.*;
        import java.net.InetSocketAddress;
        import java.nio.file.Path;

        public final class Main
        {
            public static void main(String[] args) throws Exception
            {
                Path dir = Path.of(args[0]);
                jdk.jfr.Recording recording = new jdk.jfr.Recording();
                recording.enable("io.tcpshm.Login");
                recording.start();
                TcpShmConfig config = TcpShmConfig.builder().shmDir(dir.resolve("shm")).registerMXBeans(true).build();
                TcpShmServer server = new TcpShmServer("srv", dir.resolve("server"), config, new ServerHandler()
                {
                    public int onNewConnection(InetSocketAddress from, LoginRequest login, LoginResponse response)
                    {
                        return 0;
                    }

                    public void onClientMsg(TcpShmConnection conn, MsgHeader in)
                    {
                        MsgHeader out = conn.alloc(8);
                        if (out == null)
                        {
                            return;
                        }
                        out.msgType(in.msgType());
                        out.buffer().putLong(out.payloadOffset(), in.buffer().getLong(in.payloadOffset()) + 1);
                        conn.pop();
                        conn.push();
                    }

                    public void onSystemError(String message, Exception cause)
                    {
                        System.out.println("server error: " + message);
                    }
                });
                if (!server.start("127.0.0.1", 0))
                {
                    throw new IllegalStateException("the server did not start");
                }
                javax.management.MBeanServer mbeans = java.lang.management.ManagementFactory.getPlatformMBeanServer();
                javax.management.ObjectName slot = mbeans.queryNames(
                    new javax.management.ObjectName("io.tcpshm:type=Connection,local=\\\"srv\\\",*"), null).iterator().next();
                System.out.println("mxbean of " + mbeans.getAttribute(slot, "LocalName"));
                Thread serverThread = new Thread(() ->
                {
                    while (!Thread.currentThread().isInterrupted())
                    {
                        long now = System.nanoTime() / 1_000_000_000L;
                        server.pollCtl(now);
                        server.pollTcp(now, 0);
                        server.pollShm(0);
                    }
                });
                serverThread.start();
                long deadline = System.nanoTime() + 60_000_000_000L;
                for (boolean shm : new boolean[] {false, true})
                {
                    String name = shm ? "shmcli" : "tcpcli";
                    long[] answer = {0};
                    TcpShmClient[] client = {null};
                    client[0] = new TcpShmClient(name, dir.resolve(name), config, new ClientHandler()
                    {
                        public long onLoginSuccess(LoginResponse response)
                        {
                            return System.nanoTime() / 1_000_000_000L;
                        }

                        public void onServerMsg(MsgHeader in)
                        {
                            answer[0] = in.buffer().getLong(in.payloadOffset());
                            client[0].connection().pop();
                        }

                        public void onSystemError(String message, Exception cause)
                        {
                            System.out.println(name + " error: " + message);
                        }
                    });
                    while (!client[0].connect(shm, "127.0.0.1", server.localPort(), null))
                    {
                        check(deadline, name + " logs in");
                        Thread.sleep(10);
                    }
                    MsgHeader out = client[0].connection().alloc(8);
                    out.msgType(1);
                    out.buffer().putLong(out.payloadOffset(), 41L);
                    client[0].connection().push();
                    while (answer[0] != 42L)
                    {
                        check(deadline, name + " gets its answer");
                        client[0].pollTcp(System.nanoTime() / 1_000_000_000L);
                        client[0].pollShm();
                    }
                    System.out.println("answered over " + (shm ? "SHM" : "TCP") + ": " + answer[0]);
                    client[0].stop();
                }
                serverThread.interrupt();
                serverThread.join();
                server.stop();
                recording.stop();
                recording.dump(dir.resolve("logins.jfr"));
                long logins = jdk.jfr.consumer.RecordingFile.readAllEvents(dir.resolve("logins.jfr")).stream()
                    .filter(e -> e.getEventType().getName().equals("io.tcpshm.Login")).count();
                System.out.println("recorded logins: " + logins);
            }

            private static void check(long deadline, String what)
            {
                if (System.nanoTime() > deadline)
                {
                    System.out.println("timed out: " + what);
                    System.exit(3);
                }
            }
        }
        """;

    @TempDir
    Path tmp;

    @Test
    void aProgramThatRequiresTheModuleRunsOnTheModulePathAndOnTheClassPath() throws Exception
    {
        final Path core = coreClasses();
        assertThat(core.resolve("module-info.class")).as("the core is a named module").isRegularFile();
        final Path out = tmp.resolve("modcheck");
        final List<String> errors = compile(core, out, "Main.java", PROGRAM);
        assertThat(errors).as("compile errors").isEmpty();

        final String onModulePath = run(tmp.resolve("run-module"), "--module-path",
            core + File.pathSeparator + out, "-m", "modcheck/modcheck.Main");
        // the flight recorder's events of a module's non-exported package: a login on each side, per transport
        assertThat(onModulePath).contains("answered over TCP: 42", "answered over SHM: 42", "recorded logins: 4",
            "mxbean of srv")
            .doesNotContain("error");

        final String onClassPath = run(tmp.resolve("run-classpath"), "-cp", core + File.pathSeparator + out,
            "modcheck.Main");
        assertThat(onClassPath).contains("answered over TCP: 42", "answered over SHM: 42", "recorded logins: 4")
            .doesNotContain("error");
    }

    @Test
    void theEngineIsNotExported() throws Exception
    {
        final List<String> errors = compile(coreClasses(), tmp.resolve("peek"), "Peek.java", """
            package modcheck;

            public final class Peek
            {
                Object engine = io.tcpshm.internal.Bits.class;
            }
            """);
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("io.tcpshm.internal").contains("not visible"));
    }

    /** The directory (or jar) the core's classes were loaded from: target/classes in this build. */
    private static Path coreClasses() throws Exception
    {
        return Path.of(TcpShmClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Compiles module modcheck (a module-info and one class) against the core on the module path; returns the errors. */
    private List<String> compile(final Path core, final Path out, final String file, final String source) throws Exception
    {
        final Path src = Files.createDirectories(tmp.resolve("src-" + out.getFileName()).resolve("modcheck"));
        final Path moduleInfo = Files.writeString(src.getParent().resolve("module-info.java"),
            "module modcheck { requires io.tcpshm; requires jdk.jfr; requires java.management; }\n", StandardCharsets.UTF_8);
        final Path code = Files.writeString(src.resolve(file), source, StandardCharsets.UTF_8);
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8))
        {
            final List<String> options = List.of("--module-path", core.toString(), "-d", out.toString(), "-Xlint:none");
            compiler.getTask(null, files, diagnostics, options, null,
                files.getJavaFileObjectsFromPaths(List.of(moduleInfo, code))).call();
        }
        final List<String> errors = new ArrayList<>();
        for (final Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics())
        {
            if (d.getKind() == Diagnostic.Kind.ERROR)
            {
                errors.add(d.getLineNumber() + ": " + d.getMessage(null));
            }
        }
        return errors;
    }

    /** Runs a child JVM with no option but the given path ones; returns its output after asserting exit 0. */
    private static String run(final Path dir, final String... args) throws Exception
    {
        Files.createDirectories(dir.resolve("shm"));
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(args));
        cmd.add(dir.toString());
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + output).isZero();
        return output;
    }
}
