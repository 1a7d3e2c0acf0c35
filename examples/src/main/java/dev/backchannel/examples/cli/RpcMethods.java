package dev.backchannel.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.MalformedInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon's JSON-RPC methods, one per {@code peer} verb, on the daemon's one open {@link Peer}.
 * Each reads its named parameters ({@link RpcParams}: unknown ones are refused), does what the
 * command of the same name does ({@link PeerActions}, {@link IntroductionCommands},
 * {@link AgreementCommands}) and returns the JSON object that {@code peer --json} prints for it,
 * or an array of them for the listings. docs/CLI-JSON.md lists the methods and their parameters.
 */
final class RpcMethods {
  /** How long a method that must reach the relay waits for the link (as the CLI does). */
  private static final Duration CONNECT_WAIT = Duration.ofSeconds(10);
  /** The longest {@code receive} wait, in seconds. */
  static final int MAX_RECEIVE_WAIT = 300;

  private final Peer peer;
  private final RelayAddress relay;
  private final boolean manualReceive;

  private RpcMethods(Peer peer, RelayAddress relay, boolean manualReceive) {
    this.peer = peer;
    this.relay = relay;
    this.manualReceive = manualReceive;
  }

  /** The method table; {@code manualReceive}: messages are fetched with {@code receive}, not notified. */
  static Map<String, RpcDispatcher.Method> of(Peer peer, RelayAddress relay, boolean manualReceive) {
    RpcMethods m = new RpcMethods(peer, relay, manualReceive);
    Map<String, RpcDispatcher.Method> t = new LinkedHashMap<>();
    t.put("send", m::send);
    t.put("contacts", p -> list(p, PeerActions.contacts(peer)));
    t.put("invite", m::invite);
    t.put("accept", m::accept);
    t.put("verify", p -> PeerActions.verify(peer, done(p, p.string("contact"))).json());
    t.put("receive", m::receive);
    t.put("introduce", m::introduce);
    t.put("introductions", p -> list(p, IntroductionCommands.pending(peer)));
    t.put("accept-introduction", m::acceptIntroduction);
    t.put("decline-introduction", m::declineIntroduction);
    t.put("propose", m::propose);
    t.put("agreements", p -> list(p, AgreementCommands.all(peer)));
    t.put("sign", m::sign);
    t.put("reject", m::reject);
    t.put("export", m::export);
    t.put("fingerprint", p -> {
      p.noOthers();
      return AgreementCommands.fingerprint(peer).json();
    });
    return t;
  }

  /** {@code value}, once {@code p} is known to hold nothing else. */
  private static <T> T done(RpcParams p, T value) throws RpcError {
    p.noOthers();
    return value;
  }

  private static JsonNode list(RpcParams p, List<? extends CliEvent> events) throws RpcError {
    p.noOthers();
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    events.forEach(e -> a.add(e.json()));
    return a;
  }

  private JsonNode send(RpcParams p) throws Exception {
    String contact = p.string("contact");
    String text = done(p, p.string("text"));
    return PeerActions.send(peer, contact, text).json();
  }

  private JsonNode invite(RpcParams p) throws Exception {
    String label = p.string("label");
    int hours = p.optInt("validHours", 24, 1, 720);
    boolean qr = done(p, p.optBoolean("qr", false));
    peer.awaitRelay(CONNECT_WAIT);
    return PeerActions.invite(peer, label, hours, qr).json();
  }

  private JsonNode accept(RpcParams p) throws Exception {
    String code = p.string("code");
    String name = done(p, p.string("name"));
    Invitation inv = Invitation.parse(code);
    if (!inv.relay().equals(relay)) {
      throw new MalformedInputException("this state uses relay " + relay + ", not " + inv.relay());
    }
    peer.awaitRelay(CONNECT_WAIT);
    return PeerActions.accept(peer, inv, name).json();
  }

  /** Messages waiting in the inbox, at most {@code max}, waiting up to {@code timeout} s for the first. */
  private JsonNode receive(RpcParams p) throws Exception {
    int timeout = p.optInt("timeout", 0, 0, MAX_RECEIVE_WAIT);
    int max = done(p, p.optInt("max", Integer.MAX_VALUE, 1, Integer.MAX_VALUE));
    if (!manualReceive) {
      throw new MalformedInputException(
          "messages arrive as notifications; start the daemon with --receive-mode manual to fetch them with receive");
    }
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    long deadline = System.nanoTime() + Duration.ofSeconds(timeout).toNanos();
    while (true) {
      for (Conversation c : peer.conversations()) {
        Optional<Message> m;
        while (out.size() < max && (m = c.poll()).isPresent()) {
          out.add(CliEvent.Received.of(m.get()).json());
        }
      }
      if (out.size() > 0 || System.nanoTime() >= deadline) {
        return out;
      }
      Thread.sleep(100);
    }
  }

  private JsonNode introduce(RpcParams p) throws Exception {
    String first = p.string("first");
    String second = p.string("second");
    String note = p.optString("note", "");
    int hours = done(p, p.optInt("validHours", 168, 1, 720));
    peer.awaitRelay(CONNECT_WAIT);
    return IntroductionCommands.introduce(peer, first, second, note, hours).json();
  }

  private JsonNode acceptIntroduction(RpcParams p) throws Exception {
    String id = p.string("id");
    String name = done(p, p.string("name"));
    peer.awaitRelay(CONNECT_WAIT);
    return IntroductionCommands.accept(peer, id, name).json();
  }

  private JsonNode declineIntroduction(RpcParams p) throws Exception {
    String id = done(p, p.string("id"));
    peer.awaitRelay(CONNECT_WAIT);
    return IntroductionCommands.decline(peer, id).json();
  }

  private JsonNode propose(RpcParams p) throws Exception {
    String contact = p.string("contact");
    String title = p.string("title");
    String text = p.string("text");
    String as = done(p, p.optString("as", "proposer"));
    peer.awaitRelay(CONNECT_WAIT);
    return AgreementCommands.propose(peer, contact, title, text, as).json();
  }

  private JsonNode sign(RpcParams p) throws Exception {
    String id = p.string("id");
    String escrow = done(p, p.optString("escrow", null));
    peer.awaitRelay(CONNECT_WAIT);
    return AgreementCommands.sign(peer, id, escrow).json();
  }

  private JsonNode reject(RpcParams p) throws Exception {
    String id = done(p, p.string("id"));
    peer.awaitRelay(CONNECT_WAIT);
    return AgreementCommands.reject(peer, id).json();
  }

  private JsonNode export(RpcParams p) throws Exception {
    String id = p.string("id");
    Path out = Path.of(done(p, p.string("out")));
    return AgreementCommands.export(peer, id, out).json();
  }
}
