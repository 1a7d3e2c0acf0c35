package dev.backchannel.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Turns one line of a JSON-RPC 2.0 client into its response: checks the envelope, routes the
 * method and maps every failure to an error object ({@link RpcError}), so that no request, however
 * malformed, stops the daemon. A request without {@code id} is a notification and gets no
 * response, unless the line could not be read as a request at all (the spec's parse and
 * invalid-request errors, answered with {@code "id": null}). A batch (an array of at most
 * {@value #MAX_BATCH} requests) is answered with an array of the responses due, in request order,
 * or with nothing when every member was a notification; an empty or oversized batch gets one
 * invalid-request error.
 *
 * <p>Thread-safe when its methods are.
 */
final class RpcDispatcher {
  /** The most requests one batch may hold. */
  static final int MAX_BATCH = 100;

  /** One method: its result for the named parameters, or a typed failure. */
  @FunctionalInterface
  interface Method {
    JsonNode call(RpcParams params) throws Exception;
  }

  private final Map<String, Method> methods;
  private final int maxRequestBytes;

  RpcDispatcher(Map<String, Method> methods, int maxRequestBytes) {
    this.methods = Map.copyOf(methods);
    this.maxRequestBytes = maxRequestBytes;
  }

  /**
   * The response to {@code line} (an object, or an array for a batch), or null when none is due (a
   * notification, a batch of notifications, a blank line).
   */
  JsonNode handle(BoundedLineReader.Line line) {
    if (line.tooLong()) {
      return error(NullNode.instance, new RpcError(RpcError.INVALID_REQUEST,
          "request larger than " + maxRequestBytes + " bytes; it was skipped"));
    }
    if (line.notUtf8()) {
      return error(NullNode.instance, new RpcError(RpcError.PARSE_ERROR, "parse error: the line is not UTF-8"));
    }
    if (line.text().isBlank()) {
      return null;
    }
    JsonNode request;
    try {
      request = JsonLines.read(line.text());
    } catch (JsonProcessingException e) {
      return error(NullNode.instance, new RpcError(RpcError.PARSE_ERROR, "parse error: not one JSON value"));
    }
    if (request.isArray()) {
      return batch(request);
    }
    return single(request);
  }

  private JsonNode batch(JsonNode requests) {
    if (requests.isEmpty()) {
      return error(NullNode.instance, new RpcError(RpcError.INVALID_REQUEST, "a batch holds at least one request"));
    }
    if (requests.size() > MAX_BATCH) {
      return error(NullNode.instance, new RpcError(RpcError.INVALID_REQUEST,
          "a batch holds at most " + MAX_BATCH + " requests; this one was skipped"));
    }
    ArrayNode responses = JsonNodeFactory.instance.arrayNode();
    for (JsonNode request : requests) {
      ObjectNode response = single(request);
      if (response != null) {
        responses.add(response);
      }
    }
    return responses.isEmpty() ? null : responses;
  }

  /** The response to one request (not an array), or null for a notification. */
  private ObjectNode single(JsonNode request) {
    if (!request.isObject()) {
      return error(NullNode.instance, new RpcError(RpcError.INVALID_REQUEST, "a request is a JSON object"));
    }
    JsonNode id = request.get("id");
    if (id != null && !id.isTextual() && !id.isNumber() && !id.isNull()) {
      return error(NullNode.instance, new RpcError(RpcError.INVALID_REQUEST, "id must be a string, a number or null"));
    }
    boolean notification = id == null;
    JsonNode replyId = notification ? NullNode.instance : id;
    if (!"2.0".equals(request.path("jsonrpc").textValue())) {
      return error(replyId, new RpcError(RpcError.INVALID_REQUEST, "jsonrpc must be \"2.0\""));
    }
    JsonNode name = request.get("method");
    if (name == null || !name.isTextual()) {
      return error(replyId, new RpcError(RpcError.INVALID_REQUEST, "method must be a string"));
    }
    ObjectNode response;
    try {
      Method m = methods.get(name.textValue());
      if (m == null) {
        throw new RpcError(RpcError.METHOD_NOT_FOUND, "method not found: " + brief(name.textValue()));
      }
      JsonNode result = m.call(RpcParams.of(request.get("params")));
      response = envelope(replyId);
      response.set("result", result);
    } catch (RpcError e) {
      response = error(replyId, e);
    } catch (ExecutionException e) {
      response = error(replyId, RpcError.of(e.getCause() != null ? e.getCause() : e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      response = error(replyId, RpcError.of(e));
    } catch (Exception e) {
      response = error(replyId, RpcError.of(e));
    }
    return notification ? null : response;
  }

  /** A method name as an error message may quote it: at most 64 characters. */
  private static String brief(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }

  private static ObjectNode envelope(JsonNode id) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("jsonrpc", "2.0");
    o.set("id", id);
    return o;
  }

  private static ObjectNode error(JsonNode id, RpcError e) {
    ObjectNode o = envelope(id);
    o.set("error", e.json());
    return o;
  }

  /** A notification of the daemon to its clients: {@code method} = the event's type. */
  static ObjectNode notification(CliEvent event) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("jsonrpc", "2.0");
    o.put("method", event.type());
    o.set("params", event.json());
    return o;
  }
}
