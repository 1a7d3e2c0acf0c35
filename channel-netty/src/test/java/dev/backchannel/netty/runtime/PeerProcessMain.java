package dev.backchannel.netty.runtime;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Peer;
import dev.backchannel.api.RelayAddress;
import java.nio.file.Path;

/**
 * A peer in its own JVM for crash tests.
 * {@code receive <state> <relay> <contact>}: prints {@code got <seq> <text>} per message, forever.
 * {@code send <state> <relay> <contact> <count>}: sends {@code count} messages, printing
 * {@code sent <seq>} once the relay has each, then exits.
 */
public final class PeerProcessMain {
  private PeerProcessMain() {}

  public static void main(String[] args) throws Exception {
    Peer peer = Peer.builder().stateDirectory(Path.of(args[1]))
        .relay(RelayAddress.parse(args[2])).build();
    Conversation c = peer.conversation(args[3]).orElseThrow();
    if (args[0].equals("receive")) {
      c.onMessage(m -> {
        System.out.println("got " + m.sequence() + " " + m.text());
        System.out.flush();
      });
      System.out.println("ready");
      System.out.flush();
      Thread.currentThread().join();
    } else {
      int count = Integer.parseInt(args[4]);
      for (int i = 0; i < count; i++) {
        long seq = c.send("from process " + i).get();
        System.out.println("sent " + seq);
        System.out.flush();
      }
      peer.close();
      System.exit(0);
    }
  }
}
