package dev.backchannel.benchmarks.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads {@code signal-protocol-java} in a class loader of its own, beside the benchmarks' class
 * path instead of on it.
 *
 * <p>Why: signal-protocol-java 2.8.1's generated protobuf classes were made for the
 * protobuf-javalite 3.10 runtime and fail on the protobuf-java 4.x runtime that Backchannel uses
 * ({@code ArrayIndexOutOfBoundsException} in {@code MessageSchema.newSchemaForRawMessageInfo} on
 * the first record built). Both runtimes are the same {@code com.google.protobuf} classes, so only
 * one of them can be on a class path, and relocating one is not an option here.
 *
 * <p>How: the {@code -Ppeers} profile copies signal-protocol-java, curve25519-java and
 * protobuf-javalite 3.10 into {@code benchmarks/target/peers-spj/}, beside
 * {@code benchmarks.jar} (and beside {@code target/classes} when run from an IDE). This class
 * opens them in a loader whose parent is the platform loader (JDK only), and defines the adapter
 * package {@code ...peers.spj} in that loader from the benchmarks jar's bytes. The adapter speaks
 * JDK types only, so no class crosses between the two loaders. The directory can be given with
 * {@code -Dbackchannel.peers.spj=DIR} (for example when the jar was copied elsewhere).
 */
final class IsolatedSignalProtocolJava {
  static final String DIRECTORY = "peers-spj";
  private static final String[] JARS = {
    "signal-protocol-java.jar", "curve25519-java.jar", "protobuf-javalite.jar"
  };
  private static final String ADAPTER_PACKAGE = "dev.backchannel.benchmarks.peers.spj.";
  private static final String ADAPTER = ADAPTER_PACKAGE + "SignalProtocolJavaPeers";

  private static Class<?> adapter;

  private IsolatedSignalProtocolJava() {}

  /** Calls the adapter's public static no-argument method {@code name}. */
  @SuppressWarnings("unchecked")
  static <T> T call(String name) throws Exception {
    try {
      return (T) adapter().getMethod(name).invoke(null);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static synchronized Class<?> adapter() throws Exception {
    if (adapter == null) {
      Path dir = directory();
      URL[] urls = new URL[JARS.length];
      for (int i = 0; i < JARS.length; i++) {
        Path jar = dir.resolve(JARS[i]);
        if (!Files.isRegularFile(jar)) {
          throw new IllegalStateException(
              jar + " is missing: build with `mvn -B -q -DskipTests -Ppeers package`, which"
                  + " puts it beside benchmarks.jar, or give its directory with"
                  + " -Dbackchannel.peers.spj");
        }
        urls[i] = jar.toUri().toURL();
      }
      adapter = Class.forName(ADAPTER, true, new Loader(urls));
    }
    return adapter;
  }

  /** {@code -Dbackchannel.peers.spj}, else {@value #DIRECTORY} beside this class's jar or dir. */
  private static Path directory() throws Exception {
    String given = System.getProperty("backchannel.peers.spj");
    if (given != null) {
      return Path.of(given);
    }
    URL location =
        IsolatedSignalProtocolJava.class.getProtectionDomain().getCodeSource().getLocation();
    Path codeSource = Path.of(location.toURI());
    return codeSource.toAbsolutePath().getParent().resolve(DIRECTORY);
  }

  /** Platform classes, then the adapter package from the benchmarks jar, then the copied jars. */
  private static final class Loader extends URLClassLoader {
    static {
      registerAsParallelCapable();
    }

    Loader(URL[] urls) {
      super("signal-protocol-java", urls, ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      if (!name.startsWith(ADAPTER_PACKAGE)) {
        return super.findClass(name);
      }
      String path = name.replace('.', '/') + ".class";
      ClassLoader benchmarks = IsolatedSignalProtocolJava.class.getClassLoader();
      try (InputStream in = benchmarks.getResourceAsStream(path)) {
        if (in == null) {
          throw new ClassNotFoundException(name);
        }
        byte[] bytes = in.readAllBytes();
        return defineClass(name, bytes, 0, bytes.length);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
