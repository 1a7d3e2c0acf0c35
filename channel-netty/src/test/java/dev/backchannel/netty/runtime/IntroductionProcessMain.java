package dev.backchannel.netty.runtime;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.IntroductionRequest;
import dev.backchannel.api.Peer;
import dev.backchannel.api.RelayAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * One party of an introduction in its own JVM, for crash tests.
 * {@code introduce <state> <relay> <first> <second>}: prints {@code introduced <id>}, then waits.
 * {@code accept <state> <relay> <name>}: accepts the first pending request, prints {@code accepted}.
 * {@code serve <state> <relay>}: prints {@code ready} and waits.
 * {@code run <state> <relay> <contact> <text>}: once the contact exists prints {@code contact},
 * sends {@code text} (printing {@code sent}) and prints {@code got <text>} for each message.
 */
public final class IntroductionProcessMain {
  private IntroductionProcessMain() {}

  public static void main(String[] args) throws Exception {
    Peer peer = Peer.builder().stateDirectory(Path.of(args[1])).relay(RelayAddress.parse(args[2])).build();
    switch (args[0]) {
      case "introduce" -> {
        var intro = peer.introduce(peer.conversation(args[3]).orElseThrow(), peer.conversation(args[4]).orElseThrow(), "");
        say("introduced " + intro.id());
      }
      case "accept" -> {
        List<IntroductionRequest> r;
        while ((r = peer.introductionRequests()).isEmpty()) {
          Thread.sleep(20);
        }
        r.get(0).accept(args[3]);
        say("accepted");
      }
      case "serve" -> say("ready");
      case "run" -> {
        Conversation c;
        while ((c = peer.conversation(args[3]).orElse(null)) == null) {
          Thread.sleep(20);
        }
        say("contact");
        c.onMessage(m -> say("got " + m.text()));
        c.send(args[4]).get();
        say("sent");
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
    Thread.currentThread().join();
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
