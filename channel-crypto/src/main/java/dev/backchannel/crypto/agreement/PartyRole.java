package dev.backchannel.crypto.agreement;

import dev.backchannel.api.error.MalformedInputException;

/**
 * What a party is to an agreement. The role is part of the signed terms; every listed party, of
 * either role, must sign before the agreement is complete.
 *
 * @since 0.2
 */
public enum PartyRole {
  /** A party bound by the agreement (encoded as 1). */
  SIGNATORY(1),
  /** A witness (for example the intermediary) attesting to the agreement (encoded as 2). */
  WITNESS(2);

  private final int code;

  PartyRole(int code) {
    this.code = code;
  }

  /** The one-byte code in the encoded terms. */
  public int code() {
    return code;
  }

  /**
   * The role with {@code code}.
   *
   * @throws MalformedInputException for any other code
   */
  public static PartyRole ofCode(int code) throws MalformedInputException {
    for (PartyRole r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    throw new MalformedInputException("unknown party role " + code);
  }
}
