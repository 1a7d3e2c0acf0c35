package dev.backchannel.netty.runtime;

import java.util.HexFormat;

/**
 * The keys of a peer's state store (docs/PROTOCOL.md §12, "State store keys"). Keys carry no
 * names or secrets. Stateless.
 */
final class StateKeys {
  static final String PEER = "peer";
  static final String CONTACT_PREFIX = "contact/";
  static final String INVITATION_PREFIX = "invitation/";
  static final String INBOX_PREFIX = "inbox/";
  static final String OUTBOX_PREFIX = "outbox/";
  static final String SPARE_PREFIX = "spare/";
  static final String INTRODUCTION_PREFIX = "introduction/";
  static final String INTRODUCTION_REQUEST_PREFIX = "intro-request/";
  static final String AGREEMENT_PREFIX = "agreement/";
  static final String ESCROW_PREFIX = "escrow/";
  static final String APP_PREFIX = "app/";

  private StateKeys() {}

  static String contact(String contactId) {
    return CONTACT_PREFIX + contactId;
  }

  static String invitation(byte[] mailboxId) {
    return INVITATION_PREFIX + HexFormat.of().formatHex(mailboxId);
  }

  static String inbox(String contactId, long sequence) {
    return inboxPrefix(contactId) + String.format("%020d", sequence);
  }

  static String inboxPrefix(String contactId) {
    return INBOX_PREFIX + contactId + "/";
  }

  static String outbox(byte[] messageId) {
    return OUTBOX_PREFIX + HexFormat.of().formatHex(messageId);
  }

  static String spare(byte[] mailboxId) {
    return SPARE_PREFIX + HexFormat.of().formatHex(mailboxId);
  }

  /** An agreement of a conversation, by its hex id. */
  static String agreement(String hexId) {
    return AGREEMENT_PREFIX + hexId;
  }

  /** Signatures this peer holds in escrow, by the hex terms hash. */
  static String escrow(String termsHashHex) {
    return ESCROW_PREFIX + termsHashHex;
  }

  /** An introduction this peer made, by its hex id. */
  static String introduction(String hexId) {
    return INTRODUCTION_PREFIX + hexId;
  }

  /** An introduction proposed to this peer, by the introducer's contact id and the hex id. */
  static String introductionRequest(String introducerContactId, String hexId) {
    return INTRODUCTION_REQUEST_PREFIX + introducerContactId + "/" + hexId;
  }
}
