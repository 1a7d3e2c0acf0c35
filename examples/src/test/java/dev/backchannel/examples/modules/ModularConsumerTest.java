package dev.backchannel.examples.modules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small application written as a Java module ({@code requires dev.backchannel.netty}) against
 * the modules as built: it compiles, and at run time on the module path it starts a relay, finds
 * the runtime through {@code Peer.builder()} (the module's {@code provides}), and two peers talk.
 * The same consumer cannot compile against an {@code internal} package or the runtime's package,
 * because the modules do not export them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ModularConsumerTest {
  @TempDir Path dir;

  private static final String MAIN = """
      package consumer;

      import dev.backchannel.api.Conversation;
      import dev.backchannel.api.Peer;
      import dev.backchannel.netty.relay.RelayConfig;
      import dev.backchannel.netty.relay.RelayServer;
      import java.nio.file.Path;
      import java.time.Duration;
      import java.util.concurrent.TimeUnit;

      public final class Main {
        public static void main(String[] args) throws Exception {
          Path dir = Path.of(args[0]);
          try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
              Peer alice = Peer.builder().stateDirectory(dir.resolve("alice")).relay(relay.address()).build();
              Peer bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(relay.address()).build()) {
            Conversation toAlice = bob.accept(alice.createInvitation("bob", Duration.ofMinutes(5)), "alice");
            toAlice.send("hello from a module").get(60, TimeUnit.SECONDS);
            for (int i = 0; i < 2400 && alice.conversation("bob").isEmpty(); i++) {
              Thread.sleep(25);
            }
            String text = alice.conversation("bob").orElseThrow().receive(Duration.ofSeconds(60))
                .orElseThrow().text();
            System.out.println("received: " + text + " in module " + Main.class.getModule().getName()
                + " from runtime module " + alice.getClass().getModule().getName());
          }
        }
      }
      """;

  /** Our three modules and exactly the modules they require, from this test's class path. */
  static List<Path> modulePath() {
    List<String> wanted = List.of("channel-api", "channel-crypto", "channel-netty", "/io/netty/",
        "/org/bouncycastle/", "/com/google/protobuf/protobuf-java/", "/org/rocksdb/", "/org/slf4j/slf4j-api/");
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> wanted.stream().anyMatch(e::contains))
        .filter(e -> !e.contains("test-classes") && !e.contains("-tests.jar") && !e.contains("native-epoll"))
        .map(Path::of)
        .toList();
  }

  static String path(List<Path> entries) {
    return entries.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
  }

  /** Compiles a module named {@code module} with one class; returns javac's exit code and output. */
  record Compiled(int exitCode, String output, Path classes) {}

  Compiled compile(String module, String className, String source) throws IOException {
    Path src = dir.resolve(module + "-src");
    Path pkg = src.resolve(className.substring(0, className.lastIndexOf('.')).replace('.', '/'));
    Files.createDirectories(pkg);
    Files.writeString(src.resolve("module-info.java"), "module " + module + " { requires dev.backchannel.netty; }\n");
    Path file = pkg.resolve(className.substring(className.lastIndexOf('.') + 1) + ".java");
    Files.writeString(file, source);
    Path out = dir.resolve(module + "-classes");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int rc;
    try (OutputStreamWriter w = new OutputStreamWriter(log, StandardCharsets.UTF_8)) {
      rc = javac.run(null, log, log, "--module-path", path(modulePath()), "-d", out.toString(),
          "-Xlint:-module", src.resolve("module-info.java").toString(), file.toString());
    }
    return new Compiled(rc, log.toString(StandardCharsets.UTF_8), out);
  }

  @Test
  void aModularApplicationCompilesFindsTheRuntimeAndTalks() throws Exception {
    assertThat(modulePath()).as("the modules are on the test's class path")
        .anyMatch(p -> p.toString().contains("channel-netty"));
    Compiled c = compile("consumer", "consumer.Main", MAIN);
    assertThat(c.exitCode()).as(c.output()).isZero();

    List<Path> runPath = new ArrayList<>(modulePath());
    runPath.add(c.classes());
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--module-path", path(runPath), "-m", "consumer/consumer.Main", dir.resolve("run").toString())
        .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.remove("JAVA_TOOL_OPTIONS");
    Process p = pb.start();
    String output;
    try {
      assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("the consumer finishes").isTrue();
    } finally {
      output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.destroyForcibly();
    }
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("received: hello from a module in module consumer from runtime module dev.backchannel.netty");
  }

  @Test
  void theRuntimeAndTheInternalPackagesAreNotReachable() throws Exception {
    Compiled internal = compile("consumer.internal", "consumer.internal.UsesInternal", """
        package consumer.internal;

        public final class UsesInternal {
          public static Object frame() {
            return dev.backchannel.netty.internal.wire.Frame.getDefaultInstance();
          }
        }
        """);
    assertThat(internal.exitCode()).isNotZero();
    assertThat(internal.output()).contains("dev.backchannel.netty.internal.wire").contains("not visible");

    Compiled runtime = compile("consumer.runtime", "consumer.runtime.UsesRuntime", """
        package consumer.runtime;

        public final class UsesRuntime {
          public static Object provider() {
            return new dev.backchannel.netty.runtime.NettyPeerProvider();
          }
        }
        """);
    assertThat(runtime.exitCode()).isNotZero();
    assertThat(runtime.output()).contains("dev.backchannel.netty.runtime").contains("not visible");

    Compiled crypto = compile("consumer.crypto", "consumer.crypto.UsesCryptoInternal", """
        package consumer.crypto;

        public final class UsesCryptoInternal {
          public static Class<?> proto() {
            return dev.backchannel.crypto.internal.proto.EnvelopeProto.class;
          }
        }
        """);
    assertThat(crypto.exitCode()).isNotZero();
    assertThat(crypto.output()).contains("dev.backchannel.crypto.internal.proto").contains("not visible");
  }
}
