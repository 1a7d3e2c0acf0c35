package dev.backchannel.examples.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backchannel.api.Agreement;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.IntroductionRequest;
import dev.backchannel.api.Message;
import dev.backchannel.api.Provenance;
import java.time.Instant;
import java.util.Objects;

/**
 * One thing a {@code peer} command reports: a contact, a message, an invitation and so on. Each
 * is made once by the command and rendered by an {@link Output}: {@link #text()} is the line of
 * the text form (a fixed contract, byte for byte), {@link #json()} the object of {@code --json}
 * and of the daemon's results and notifications, with {@link #type()} as its {@code "type"}.
 *
 * <p>Events are immutable values; none holds a passphrase or a key.
 */
sealed interface CliEvent {
  /** The {@code "type"} of the JSON object (docs/CLI-JSON.md lists them). */
  String type();

  /** The text form's line (without its newline), or null when the text form prints nothing. */
  String text();

  /** Adds this event's fields (all but {@code type}) to {@code o}. */
  void fields(ObjectNode o);

  /** The JSON object: {@code type} first, then the fields. */
  default ObjectNode json() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("type", type());
    fields(o);
    return o;
  }

  private static String iso(Instant t) {
    return t.toString();
  }

  /**
   * A contact: announced when new ({@code contact: NAME safety-number: S[ introduced-by: M]}) or
   * listed by {@code contacts} ({@code NAME safety-number: S verified|unverified[ introduced-by: M]}).
   *
   * @param introducedBy the introducer's name while the contact came by introduction, else null
   */
  record Contact(String name, String safetyNumber, boolean verified, String introducedBy, boolean announced)
      implements CliEvent {
    static Contact of(Conversation c, boolean announced) {
      Provenance p = c.provenance();
      String by = p.kind() == Provenance.Kind.INTRODUCED ? p.introducerName().orElse("") : null;
      return new Contact(c.name(), c.safetyNumber().formatted(), c.isVerified(), by, announced);
    }

    @Override public String type() {
      return "contact";
    }

    @Override public String text() {
      String by = introducedBy == null ? "" : " introduced-by: " + introducedBy;
      return announced ? "contact: " + name + " safety-number: " + safetyNumber + by
          : name + " safety-number: " + safetyNumber + " " + (verified ? "verified" : "unverified") + by;
    }

    @Override public void fields(ObjectNode o) {
      o.put("name", name).put("safetyNumber", safetyNumber).put("verified", verified)
          .put("introducedBy", introducedBy).put("new", announced);
    }
  }

  /** {@code invitation: CODE}, then the QR code when asked for. */
  record Invitation(String code, String contact, Instant expiresAt, String qr) implements CliEvent {
    @Override public String type() {
      return "invitation";
    }

    @Override public String text() {
      String line = "invitation: " + code;
      return qr == null ? line : line + "\n" + qr.substring(0, qr.length() - 1);
    }

    @Override public void fields(ObjectNode o) {
      o.put("code", code).put("contact", contact).put("expiresAt", iso(expiresAt));
      if (qr != null) {
        o.put("qr", qr);
      }
    }
  }

  /** A message the relay holds durably (the text form prints nothing for it). */
  record Sent(String contact, long sequence) implements CliEvent {
    @Override public String type() {
      return "sent";
    }

    @Override public String text() {
      return null;
    }

    @Override public void fields(ObjectNode o) {
      o.put("contact", contact).put("sequence", sequence);
    }
  }

  /** {@code CONTACT: TEXT}; the JSON form carries the text exactly, newlines included. */
  record Received(String contact, long sequence, Instant sentAt, Instant receivedAt, String body)
      implements CliEvent {
    static Received of(Message m) {
      return new Received(m.conversation(), m.sequence(), m.sentAt(), m.receivedAt(), m.text());
    }

    @Override public String type() {
      return "message";
    }

    @Override public String text() {
      return contact + ": " + body;
    }

    @Override public void fields(ObjectNode o) {
      o.put("contact", contact).put("sequence", sequence).put("sentAt", iso(sentAt))
          .put("receivedAt", iso(receivedAt)).put("text", body);
    }
  }

  /** {@code verified: NAME}. */
  record Verified(String contact) implements CliEvent {
    @Override public String type() {
      return "verified";
    }

    @Override public String text() {
      return "verified: " + contact;
    }

    @Override public void fields(ObjectNode o) {
      o.put("contact", contact);
    }
  }

  /** An introduction proposed to this peer: {@code introduction: ID from: M proposes: L[ note: N]}. */
  record IntroductionProposed(String id, String from, String proposes, String note, Instant expiresAt)
      implements CliEvent {
    static IntroductionProposed of(IntroductionRequest r) {
      return new IntroductionProposed(r.id(), r.from(), r.proposedLabel(), r.note(), r.expiresAt());
    }

    @Override public String type() {
      return "introduction";
    }

    @Override public String text() {
      return "introduction: " + id + " from: " + from + " proposes: " + proposes
          + (note.isEmpty() ? "" : " note: " + note);
    }

    @Override public void fields(ObjectNode o) {
      o.put("id", id).put("from", from).put("proposes", proposes).put("note", note)
          .put("expiresAt", iso(expiresAt));
    }
  }

  /** An introduction this peer made: {@code introduction: ID}. */
  record Introduced(String id, String first, String second, Instant expiresAt) implements CliEvent {
    @Override public String type() {
      return "introduced";
    }

    @Override public String text() {
      return "introduction: " + id;
    }

    @Override public void fields(ObjectNode o) {
      o.put("id", id).put("first", first).put("second", second).put("expiresAt", iso(expiresAt));
    }
  }

  /** An answer to an introduction: {@code accepted: ID} or {@code declined: ID}. */
  record IntroductionAnswered(String id, boolean accepted, String contact) implements CliEvent {
    @Override public String type() {
      return accepted ? "introduction-accepted" : "introduction-declined";
    }

    @Override public String text() {
      return (accepted ? "accepted: " : "declined: ") + id;
    }

    @Override public void fields(ObjectNode o) {
      o.put("id", id);
      if (accepted) {
        o.put("contact", contact);
      }
    }
  }

  /**
   * An agreement: {@code agreement: ID with: C title: T status: S}, or {@code agreement: ID} when
   * {@code propose} made it ({@code brief}); the JSON form always has every field.
   */
  record AgreementState(String id, String contact, String title, String status, boolean proposedByMe,
      Instant expiresAt, boolean brief) implements CliEvent {
    static AgreementState of(Agreement a, boolean brief) {
      return new AgreementState(a.id(), a.contact(), a.title(), AgreementCommands.word(a.status()),
          a.proposedByMe(), a.expiresAt(), brief);
    }

    @Override public String type() {
      return "agreement";
    }

    @Override public String text() {
      return brief ? "agreement: " + id
          : "agreement: " + id + " with: " + contact + " title: " + title + " status: " + status;
    }

    @Override public void fields(ObjectNode o) {
      o.put("id", id).put("contact", contact).put("title", title).put("status", status)
          .put("proposedByMe", proposedByMe).put("expiresAt", iso(expiresAt));
    }
  }

  /** {@code signed: ID status: S}. */
  record Signed(String id, String status) implements CliEvent {
    @Override public String type() {
      return "signed";
    }

    @Override public String text() {
      return "signed: " + id + " status: " + status;
    }

    @Override public void fields(ObjectNode o) {
      o.put("id", id).put("status", status);
    }
  }

  /** {@code rejected: ID}. */
  record Rejected(String id) implements CliEvent {
    @Override public String type() {
      return "rejected";
    }

    @Override public String text() {
      return "rejected: " + id;
    }

    @Override public void fields(ObjectNode o) {
      o.put("id", id);
    }
  }

  /** {@code exported: ID status: S to: FILE}. */
  record Exported(String id, String status, String file) implements CliEvent {
    @Override public String type() {
      return "exported";
    }

    @Override public String text() {
      return "exported: " + id + " status: " + status + " to: " + file;
    }

    @Override public void fields(ObjectNode o) {
      o.put("id", id).put("status", status).put("file", file);
    }
  }

  /** {@code fingerprint: HEX}. */
  record Fingerprint(String hex) implements CliEvent {
    @Override public String type() {
      return "fingerprint";
    }

    @Override public String text() {
      return "fingerprint: " + hex;
    }

    @Override public void fields(ObjectNode o) {
      o.put("fingerprint", hex);
    }
  }

  /** A run of the contact's sequence numbers that never arrived (the text form prints nothing). */
  record GapSeen(String contact, long from, long to) implements CliEvent {
    @Override public String type() {
      return "gap";
    }

    @Override public String text() {
      return null;
    }

    @Override public void fields(ObjectNode o) {
      o.put("contact", contact).put("from", from).put("to", to);
    }
  }

  /** The contact confirmed one of our messages (the text form prints nothing). */
  record Delivery(String contact, long sequence) implements CliEvent {
    @Override public String type() {
      return "delivery";
    }

    @Override public String text() {
      return null;
    }

    @Override public void fields(ObjectNode o) {
      o.put("contact", contact).put("sequence", sequence);
    }
  }

  /** {@code chat}: a line not yet confirmed by the relay ({@code (not yet confirmed by the relay: …)}). */
  record Unconfirmed(String reason) implements CliEvent {
    @Override public String type() {
      return "unconfirmed";
    }

    @Override public String text() {
      return "(not yet confirmed by the relay: " + reason + ")";
    }

    @Override public void fields(ObjectNode o) {
      o.put("message", reason);
    }
  }

  /** A failure: {@code error: MESSAGE} on stderr in the text form, with the exit code. */
  record Failure(int code, String message) implements CliEvent {
    public Failure {
      Objects.requireNonNull(message, "message");
    }

    @Override public String type() {
      return "error";
    }

    @Override public String text() {
      return "error: " + message;
    }

    @Override public void fields(ObjectNode o) {
      o.put("code", code).put("message", message);
    }
  }
}
