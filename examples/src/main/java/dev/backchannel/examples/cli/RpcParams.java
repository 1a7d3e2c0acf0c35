package dev.backchannel.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * The named parameters of one JSON-RPC request, read with their types checked: a missing required
 * parameter, one of the wrong type or out of range, and one the method does not know are each an
 * {@link RpcError#INVALID_PARAMS} error naming the parameter.
 */
final class RpcParams {
  private final ObjectNode params;
  private final Set<String> read = new HashSet<>();

  private RpcParams(ObjectNode params) {
    this.params = params;
  }

  /** {@code params} of a request: absent means none; it must otherwise be an object. */
  static RpcParams of(JsonNode params) throws RpcError {
    if (params == null || params.isNull()) {
      return new RpcParams(JsonNodeFactory.instance.objectNode());
    }
    if (!params.isObject()) {
      throw RpcError.invalidParams("params must be an object of named parameters");
    }
    return new RpcParams((ObjectNode) params);
  }

  /** A required string. */
  String string(String name) throws RpcError {
    String v = optString(name, null);
    if (v == null) {
      throw RpcError.invalidParams("missing parameter '" + name + "' (a string)");
    }
    return v;
  }

  /** An optional string, {@code otherwise} when absent or null. */
  String optString(String name, String otherwise) throws RpcError {
    JsonNode v = get(name);
    if (v == null) {
      return otherwise;
    }
    if (!v.isTextual()) {
      throw RpcError.invalidParams("parameter '" + name + "' must be a string");
    }
    return v.textValue();
  }

  /** An optional whole number in {@code min..max}, {@code otherwise} when absent or null. */
  int optInt(String name, int otherwise, int min, int max) throws RpcError {
    JsonNode v = get(name);
    if (v == null) {
      return otherwise;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
      throw RpcError.invalidParams("parameter '" + name + "' must be a whole number in " + min + ".." + max);
    }
    return v.intValue();
  }

  /** An optional boolean, {@code otherwise} when absent or null. */
  boolean optBoolean(String name, boolean otherwise) throws RpcError {
    JsonNode v = get(name);
    if (v == null) {
      return otherwise;
    }
    if (!v.isBoolean()) {
      throw RpcError.invalidParams("parameter '" + name + "' must be true or false");
    }
    return v.booleanValue();
  }

  /** Refuses any parameter that was not read: a typo must not be ignored silently. */
  void noOthers() throws RpcError {
    for (Iterator<String> it = params.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!read.contains(name)) {
        throw RpcError.invalidParams("unknown parameter '" + name + "'");
      }
    }
  }

  private JsonNode get(String name) {
    read.add(name);
    JsonNode v = params.get(name);
    return v == null || v.isNull() ? null : v;
  }
}
