package dev.backchannel.examples.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JSON-RPC 2.0 error the daemon answers with: the standard codes for a request it cannot read
 * or route, and {@code -32000 - N} for a failure whose CLI exit code is N ({@link ExitCodes}), with
 * {@code data.exitCode = N}. The message says what was wrong; it never holds a secret.
 */
final class RpcError extends Exception {
  /** The line is not JSON. */
  static final int PARSE_ERROR = -32700;
  /** The JSON is not a JSON-RPC 2.0 request (or the line is over the size limit). */
  static final int INVALID_REQUEST = -32600;
  /** No such method. */
  static final int METHOD_NOT_FOUND = -32601;
  /** A parameter is missing, unknown or of the wrong type or range. */
  static final int INVALID_PARAMS = -32602;
  /** The base of the application codes: {@code APPLICATION - exitCode}. */
  static final int APPLICATION = -32000;
  /** The socket has as many clients as it takes. */
  static final int BUSY = -32099;

  private static final long serialVersionUID = 1L;

  private final int code;
  private final Integer exitCode;

  /** An error with one of the standard codes above (or {@link #BUSY}). */
  RpcError(int code, String message) {
    this(code, null, message);
  }

  private RpcError(int code, Integer exitCode, String message) {
    super(message, null, false, false);
    this.code = code;
    this.exitCode = exitCode;
  }

  /** A failure of the verb itself, carrying the CLI's exit code for {@code cause}. */
  static RpcError of(Throwable cause) {
    int exit = ExitCodes.of(cause);
    return new RpcError(APPLICATION - exit, exit, ExitCodes.advice(cause));
  }

  static RpcError invalidParams(String message) {
    return new RpcError(INVALID_PARAMS, message);
  }

  int code() {
    return code;
  }

  /** The {@code error} member of a response. */
  ObjectNode json() {
    ObjectNode e = JsonNodeFactory.instance.objectNode();
    e.put("code", code).put("message", getMessage());
    if (exitCode != null) {
      e.putObject("data").put("exitCode", exitCode);
    }
    return e;
  }
}
