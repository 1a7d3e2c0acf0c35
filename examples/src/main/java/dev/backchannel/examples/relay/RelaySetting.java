package dev.backchannel.examples.relay;

import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayLimits;
import java.util.Locale;

/**
 * Every option of a relay node that can be set by flag, environment variable or config file: its
 * name (the flag is {@code --NAME}, the variable {@code BACKCHANNEL_RELAY_<NAME>} in upper case with
 * {@code _} for {@code -}, the config file key {@code NAME}), its kind, its default and what it
 * means. The options of {@link RelayConfig} and {@link RelayLimits}, one each.
 */
enum RelaySetting {
  DATA("data", Kind.PATH, null, "Data directory (key, certificate, store); created if missing, owner-only."
      + " Required unless store is set."),
  STORE("store", Kind.TEXT, null, "Keep mailboxes in this Redis Cluster (redis://HOST:PORT[,HOST:PORT...]),"
      + " shared with the other nodes of the relay; needs key-file. Unset: the embedded store in the data directory."),
  KEY_FILE("key-file", Kind.PATH, null, "The relay's key and certificate in one file, shared by every node of a"
      + " cluster; created with a new key (owner-only) when missing. Unset: kept in the data directory."),
  ADVERTISE("advertise", Kind.TEXT, null, "The endpoints (HOST:PORT[,HOST:PORT...]) the relay address lists, in"
      + " the order clients try them. Unset: host and port. Required with a wildcard host."),
  METRICS("metrics", Kind.TEXT, null, "Serve Prometheus metrics at http://HOST:PORT/metrics (0 takes a free"
      + " port; the bound address is printed as 'metrics: URL'). Unset: off."),
  HOST("host", Kind.TEXT, RelayConfig.DEFAULT_HOST, "Address to listen on."),
  PORT("port", Kind.INT, "" + RelayConfig.DEFAULT_PORT, "Port to listen on; 0 takes a free one."),
  MAX_FRAME_BYTES("max-frame-bytes", Kind.INT, "" + RelayConfig.DEFAULT_MAX_FRAME_BYTES,
      "Largest frame a client may send, in bytes."),
  MAX_ENVELOPE_BYTES("max-envelope-bytes", Kind.INT, "" + RelayConfig.DEFAULT_MAX_ENVELOPE_BYTES,
      "Largest envelope body, in bytes."),
  MAX_ENVELOPES_PER_MAILBOX("max-envelopes-per-mailbox", Kind.LONG, "" + RelayConfig.DEFAULT_MAX_ENVELOPES_PER_MAILBOX,
      "Envelopes one mailbox may hold."),
  MAX_BYTES_PER_MAILBOX("max-bytes-per-mailbox", Kind.LONG, "" + RelayConfig.DEFAULT_MAX_BYTES_PER_MAILBOX,
      "Bytes one mailbox may hold."),
  MAX_CONNECTIONS("max-connections", Kind.INT, "" + RelayConfig.DEFAULT_MAX_CONNECTIONS,
      "Most connections at once."),
  MAX_REQUESTS_PER_SECOND("max-requests-per-second", Kind.INT, "" + RelayConfig.DEFAULT_MAX_REQUESTS_PER_SECOND,
      "Sustained requests per second per connection; above it requests are paced."),
  IDLE_TIMEOUT("idle-timeout", Kind.DURATION, Durations.format(RelayConfig.DEFAULT_IDLE_TIMEOUT),
      "A connection silent this long is closed."),
  HANDSHAKE_TIMEOUT("handshake-timeout", Kind.DURATION, Durations.format(RelayConfig.DEFAULT_HANDSHAKE_TIMEOUT),
      "Time allowed for a TLS handshake."),
  ENVELOPE_TTL("envelope-ttl", Kind.DURATION, Durations.format(RelayConfig.DEFAULT_ENVELOPE_TTL),
      "How long an envelope nobody acknowledged is kept."),
  MAX_INVITATION_BYTES("max-invitation-bytes", Kind.INT, "" + RelayConfig.DEFAULT_MAX_INVITATION_BYTES,
      "Largest sealed invitation bundle, in bytes."),
  MAX_INVITATION_TTL("max-invitation-ttl", Kind.DURATION, Durations.format(RelayConfig.DEFAULT_MAX_INVITATION_TTL),
      "Longest lifetime of an invitation bundle."),
  MAX_PENDING_STORES("max-pending-stores", Kind.INT, "" + RelayConfig.DEFAULT_MAX_PENDING_STORES,
      "Stores one connection may have waiting for the disk."),
  WRITE_BUFFER_LOW_WATER_MARK("write-buffer-low-water-mark", Kind.INT, "" + RelayLimits.DEFAULT_WRITE_BUFFER_LOW_WATER_MARK,
      "A connection's write buffer below this many bytes is writable again."),
  WRITE_BUFFER_HIGH_WATER_MARK("write-buffer-high-water-mark", Kind.INT, "" + RelayLimits.DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK,
      "Above this many bytes queued, the relay stops reading from the connection."),
  MAX_UNWRITABLE_TIME("max-unwritable-time", Kind.DURATION, Durations.format(RelayLimits.DEFAULT_MAX_UNWRITABLE_TIME),
      "A connection that stays unwritable this long is closed."),
  STORE_QUEUE_CAPACITY("store-queue-capacity", Kind.INT, "" + RelayLimits.DEFAULT_STORE_QUEUE_CAPACITY,
      "Most tasks waiting for the store threads."),
  MAX_CONNECTIONS_PER_ADDRESS("max-connections-per-address", Kind.INT, "" + RelayLimits.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
      "Most connections from one source address."),
  MAX_CREATIONS_PER_CONNECTION("max-creations-per-connection", Kind.INT, "" + RelayLimits.DEFAULT_MAX_CREATIONS_PER_CONNECTION,
      "Mailboxes and invitations one connection may create."),
  MAX_CREATIONS_PER_ADDRESS_PER_MINUTE("max-creations-per-address-per-minute", Kind.INT,
      "" + RelayLimits.DEFAULT_MAX_CREATIONS_PER_ADDRESS_PER_MINUTE,
      "Mailboxes and invitations one source address may create per minute."),
  MAX_SUBSCRIPTIONS_PER_CONNECTION("max-subscriptions-per-connection", Kind.INT,
      "" + RelayLimits.DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      "Mailboxes one connection may subscribe to or send to as an authorised sender."),
  MAX_STORE_BYTES("max-store-bytes", Kind.LONG, "" + RelayLimits.DEFAULT_MAX_STORE_BYTES,
      "Storage watermark: bytes of bodies and bundles the store may hold in all; keep it below the disk's free space."),
  MAILBOX_IDLE_TTL("mailbox-idle-ttl", Kind.DURATION, Durations.format(RelayLimits.DEFAULT_MAILBOX_IDLE_TTL),
      "A mailbox nobody created or subscribed to for this long is deleted with its envelopes."),
  TOMBSTONE_TTL("tombstone-ttl", Kind.DURATION, Durations.format(RelayLimits.DEFAULT_TOMBSTONE_TTL),
      "How long the id of an acknowledged envelope is remembered, so a resend is not delivered again."),
  ADMISSION_SECRET_FILE("admission-secret-file", Kind.PATH, null,
      "File holding the admission secret (16..64 bytes; one trailing newline ignored): only clients that"
          + " know it may create mailboxes and invitations. Unset: anyone may.");

  /** The kinds of values and how they are written. */
  enum Kind {
    INT("N"), LONG("N"), DURATION("DURATION"), TEXT("TEXT"), PATH("PATH");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  final String key;
  final Kind kind;
  /** The default as written in a config file, or null when the option has none. */
  final String defaultText;
  final String description;

  RelaySetting(String key, Kind kind, String defaultText, String description) {
    this.key = key;
    this.kind = kind;
    this.defaultText = defaultText;
    this.description = description;
  }

  /** The flag: {@code --NAME}. */
  String flag() {
    return "--" + key;
  }

  /** The environment variable: {@code BACKCHANNEL_RELAY_NAME}. */
  String environmentVariable() {
    return "BACKCHANNEL_RELAY_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** An example value for a setting without a default, as the config file template shows it. */
  String example() {
    return switch (this) {
      case STORE -> "redis://127.0.0.1:7001,127.0.0.1:7002";
      case KEY_FILE -> "/etc/backchannel/relay-key.pem";
      case ADVERTISE -> "relay.example.org:7443";
      case METRICS -> "127.0.0.1:9464";
      case ADMISSION_SECRET_FILE -> "/etc/backchannel/admission-secret";
      default -> defaultText;
    };
  }

  /** The setting named {@code key} in a config file, or null. */
  static RelaySetting byKey(String key) {
    for (RelaySetting s : values()) {
      if (s.key.equals(key)) {
        return s;
      }
    }
    return null;
  }
}
