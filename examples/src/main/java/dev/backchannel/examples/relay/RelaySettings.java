package dev.backchannel.examples.relay;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.examples.SecretFile;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * A relay node's options resolved in order of precedence: a flag over an environment variable
 * ({@code BACKCHANNEL_RELAY_<NAME>}) over the config file over the default. Builds the
 * {@link RelayConfig}. Every bad value is an {@link IllegalArgumentException} whose message names
 * where the value came from (the flag, the variable or the file) and what is accepted; nothing is
 * started with it.
 */
final class RelaySettings {
  /** A value and where it came from. */
  record Value(String text, String source) {}

  private final Map<RelaySetting, Value> values;

  private RelaySettings(Map<RelaySetting, Value> values) {
    this.values = values;
  }

  /**
   * Resolves every setting.
   *
   * @param flags the values given as flags on the command line
   * @param environment the process environment
   * @param file the values of the config file (empty without one)
   * @param fileName the config file's name, for messages
   */
  static RelaySettings resolve(Map<RelaySetting, String> flags, Map<String, String> environment,
      Map<RelaySetting, String> file, String fileName) {
    Map<RelaySetting, Value> v = new EnumMap<>(RelaySetting.class);
    for (RelaySetting s : RelaySetting.values()) {
      if (flags.containsKey(s)) {
        v.put(s, new Value(flags.get(s), s.flag()));
      } else if (environment.containsKey(s.environmentVariable())) {
        v.put(s, new Value(environment.get(s.environmentVariable()), s.environmentVariable()));
      } else if (file.containsKey(s)) {
        v.put(s, new Value(file.get(s), fileName + ": " + s.key));
      } else if (s.defaultText != null) {
        v.put(s, new Value(s.defaultText, "the default of " + s.key));
      }
    }
    return new RelaySettings(v);
  }

  /** The value of {@code s} and its source, if it has one. */
  Optional<Value> value(RelaySetting s) {
    return Optional.ofNullable(values.get(s));
  }

  /** The data directory. @throws IllegalArgumentException if none was given anywhere */
  Path dataDirectory() {
    return path(RelaySetting.DATA).orElseThrow(() -> new IllegalArgumentException(
        "a data directory is needed: --data DIR, BACKCHANNEL_RELAY_DATA or data in the config file"));
  }

  /** The text of {@code s}, if set anywhere or defaulted. */
  Optional<String> optionalText(RelaySetting s) {
    return Optional.ofNullable(values.get(s)).map(Value::text);
  }

  /** The path {@code s} names, if set anywhere. */
  Optional<Path> optionalPath(RelaySetting s) {
    return path(s);
  }

  /**
   * The relay configuration these settings describe.
   *
   * @throws IllegalArgumentException for a bad value, naming its source
   * @throws IOException if the admission secret file cannot be read
   */
  RelayConfig toConfig() throws IOException {
    return builder(dataDirectory()).build();
  }

  /**
   * A builder for the relay configuration these settings describe, on {@code directory} (the data
   * directory, or where a node without one would keep it); every value is checked here.
   *
   * @throws IllegalArgumentException for a bad value, naming its source
   * @throws IOException if the admission secret file cannot be read
   */
  RelayConfig.Builder builder(Path directory) throws IOException {
    RelayConfig.Builder b = RelayConfig.builder(directory);
    Optional<Path> keyFile = path(RelaySetting.KEY_FILE);
    keyFile.ifPresent(b::keyFile);
    apply(RelaySetting.ADVERTISE, () -> {
      try {
        b.advertise(RelayAddress.parseEndpoints(text(RelaySetting.ADVERTISE)));
      } catch (MalformedInputException e) {
        throw new IllegalArgumentException(e.getMessage() + " (expected HOST:PORT[,HOST:PORT…])");
      }
    });
    apply(RelaySetting.HOST, () -> b.host(text(RelaySetting.HOST)));
    apply(RelaySetting.PORT, () -> b.port(integer(RelaySetting.PORT)));
    apply(RelaySetting.MAX_FRAME_BYTES, () -> b.maxFrameBytes(integer(RelaySetting.MAX_FRAME_BYTES)));
    apply(RelaySetting.MAX_ENVELOPE_BYTES, () -> b.maxEnvelopeBytes(integer(RelaySetting.MAX_ENVELOPE_BYTES)));
    apply(RelaySetting.MAX_ENVELOPES_PER_MAILBOX,
        () -> b.maxEnvelopesPerMailbox(number(RelaySetting.MAX_ENVELOPES_PER_MAILBOX)));
    apply(RelaySetting.MAX_BYTES_PER_MAILBOX, () -> b.maxBytesPerMailbox(number(RelaySetting.MAX_BYTES_PER_MAILBOX)));
    apply(RelaySetting.MAX_CONNECTIONS, () -> b.maxConnections(integer(RelaySetting.MAX_CONNECTIONS)));
    apply(RelaySetting.MAX_REQUESTS_PER_SECOND,
        () -> b.maxRequestsPerSecond(integer(RelaySetting.MAX_REQUESTS_PER_SECOND)));
    apply(RelaySetting.IDLE_TIMEOUT, () -> b.idleTimeout(duration(RelaySetting.IDLE_TIMEOUT)));
    apply(RelaySetting.HANDSHAKE_TIMEOUT, () -> b.handshakeTimeout(duration(RelaySetting.HANDSHAKE_TIMEOUT)));
    apply(RelaySetting.ENVELOPE_TTL, () -> b.envelopeTtl(duration(RelaySetting.ENVELOPE_TTL)));
    apply(RelaySetting.MAX_INVITATION_BYTES, () -> b.maxInvitationBytes(integer(RelaySetting.MAX_INVITATION_BYTES)));
    apply(RelaySetting.MAX_INVITATION_TTL, () -> b.maxInvitationTtl(duration(RelaySetting.MAX_INVITATION_TTL)));
    apply(RelaySetting.MAX_PENDING_STORES, () -> b.maxPendingStores(integer(RelaySetting.MAX_PENDING_STORES)));
    b.limits(limits());
    Optional<Path> secretFile = path(RelaySetting.ADMISSION_SECRET_FILE);
    if (secretFile.isPresent()) {
      byte[] secret = SecretFile.read(secretFile.get());
      try {
        b.admissionSecret(secret);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source(RelaySetting.ADMISSION_SECRET_FILE) + ": " + e.getMessage());
      } finally {
        Arrays.fill(secret, (byte) 0);
      }
    }
    b.build(); // every value checked together before anything starts
    return b;
  }

  /** The limits, each value parsed first (naming its source), then checked together. */
  private RelayLimits limits() {
    int low = integer(RelaySetting.WRITE_BUFFER_LOW_WATER_MARK);
    int high = integer(RelaySetting.WRITE_BUFFER_HIGH_WATER_MARK);
    Duration unwritable = duration(RelaySetting.MAX_UNWRITABLE_TIME);
    int queue = integer(RelaySetting.STORE_QUEUE_CAPACITY);
    int perAddress = integer(RelaySetting.MAX_CONNECTIONS_PER_ADDRESS);
    int creations = integer(RelaySetting.MAX_CREATIONS_PER_CONNECTION);
    int creationsPerMinute = integer(RelaySetting.MAX_CREATIONS_PER_ADDRESS_PER_MINUTE);
    int subscriptions = integer(RelaySetting.MAX_SUBSCRIPTIONS_PER_CONNECTION);
    long storeBytes = number(RelaySetting.MAX_STORE_BYTES);
    Duration idle = duration(RelaySetting.MAILBOX_IDLE_TTL);
    Duration tombstones = duration(RelaySetting.TOMBSTONE_TTL);
    try {
      return new RelayLimits(low, high, unwritable, queue, perAddress, creations, creationsPerMinute,
          subscriptions, storeBytes, idle, tombstones);
    } catch (IllegalArgumentException e) {
      // The record names the field in camel case: name the setting and where its value came from.
      String m = String.valueOf(e.getMessage());
      String field = m.split(" ", 2)[0];
      RelaySetting s = RelaySetting.byKey(field.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT));
      throw new IllegalArgumentException(s == null ? "relay limits: " + m
          : source(s) + ": " + s.key + m.substring(field.length()));
    }
  }

  /** The secret file's bytes without one trailing newline. */

  private interface Step {
    void run();
  }

  /** Runs a builder step, naming the value's source in its refusal. */
  private void apply(RelaySetting s, Step step) {
    if (!values.containsKey(s)) {
      return;
    }
    try {
      step.run();
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      throw m != null && m.startsWith(source(s)) ? e : new IllegalArgumentException(source(s) + ": " + m);
    }
  }

  private String source(RelaySetting s) {
    Value v = values.get(s);
    return v == null ? s.key : v.source();
  }

  private String text(RelaySetting s) {
    return values.get(s).text();
  }

  private Optional<Path> path(RelaySetting s) {
    Value v = values.get(s);
    if (v == null) {
      return Optional.empty();
    }
    if (v.text().isBlank()) {
      throw new IllegalArgumentException(v.source() + ": a path must not be empty");
    }
    return Optional.of(Path.of(v.text()));
  }

  private int integer(RelaySetting s) {
    long n = number(s);
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(source(s) + ": " + n + " is too large");
    }
    return (int) n;
  }

  private long number(RelaySetting s) {
    Value v = values.get(s);
    String t = v.text().strip().replace("_", "");
    if (!t.matches("\\d{1,19}")) {
      throw new IllegalArgumentException(v.source() + ": '" + v.text() + "' is not a whole number");
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(v.source() + ": '" + v.text() + "' is too large");
    }
  }

  private Duration duration(RelaySetting s) {
    Value v = values.get(s);
    try {
      return Durations.parse(v.text());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(v.source() + ": " + e.getMessage());
    }
  }
}
