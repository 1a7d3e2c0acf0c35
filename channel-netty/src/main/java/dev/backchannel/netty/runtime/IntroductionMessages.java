package dev.backchannel.netty.runtime;

import dev.backchannel.netty.internal.runtime.Payload;

/**
 * Routes the introduction payloads of an established conversation to the side they belong to:
 * answers to the {@link Introducer}, proposals, connects and closes to the
 * {@link IntroductionRequests}. Stage-confined.
 */
final class IntroductionMessages {
  private final Introducer introducer;
  private final IntroductionRequests requests;
  private final IntroductionHandshakes handshakes;

  IntroductionMessages(Introducer introducer, IntroductionRequests requests, IntroductionHandshakes handshakes) {
    this.introducer = introducer;
    this.requests = requests;
    this.handshakes = handshakes;
  }

  /** Whether {@code p} is an introduction payload. */
  static boolean isIntroduction(Payload p) {
    return switch (p.getBodyCase()) {
      case INTRODUCTION_PROPOSAL, INTRODUCTION_ACCEPT, INTRODUCTION_DECLINE, INTRODUCTION_CONNECT,
          INTRODUCTION_CLOSED -> true;
      default -> false;
    };
  }

  void handle(StateTransaction tx, RuntimeConversation c, Payload p) {
    switch (p.getBodyCase()) {
      case INTRODUCTION_PROPOSAL -> requests.proposed(tx, c, p.getIntroductionProposal());
      case INTRODUCTION_ACCEPT -> introducer.accepted(tx, c, p.getIntroductionAccept());
      case INTRODUCTION_DECLINE -> introducer.declined(tx, c, p.getIntroductionDecline().getId());
      case INTRODUCTION_CONNECT -> requests.connect(tx, c, p.getIntroductionConnect());
      case INTRODUCTION_CLOSED -> requests.closed(tx, c, p.getIntroductionClosed().getId());
      default -> { }
    }
  }

  /** The first message from an introduced contact this side initiated to arrived (stage). */
  void confirmed(StateTransaction tx, RuntimeConversation c) {
    handshakes.initiatorConfirmed(tx, c);
  }
}
