package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.api.error.UnknownSessionException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The JSON-RPC envelope rules, with methods that need no peer. */
class RpcDispatcherTest {
  private final RpcDispatcher dispatcher = new RpcDispatcher(Map.of(
      "echo", p -> {
        String text = p.string("text");
        int n = p.optInt("n", 1, 1, 3);
        p.noOthers();
        return JsonNodeFactory.instance.textNode(text.repeat(n));
      },
      "unknown-contact", p -> {
        throw new UnknownSessionException("no contact named 'x'");
      },
      "relay-down", p -> {
        throw new ExecutionException(new RelayUnavailableException("the relay is down"));
      }), 64);

  private ObjectNode handle(String line) {
    return (ObjectNode) dispatcher.handle(new BoundedLineReader.Line(line, false, false));
  }

  private JsonNode handleAny(String line) {
    return dispatcher.handle(new BoundedLineReader.Line(line, false, false));
  }

  private static int code(JsonNode response) {
    return response.get("error").get("code").asInt();
  }

  @Test
  void answersARequestWithItsId() {
    ObjectNode r = handle("{\"jsonrpc\":\"2.0\",\"id\":\"a-1\",\"method\":\"echo\",\"params\":{\"text\":\"\u00e9\\n\",\"n\":2}}");
    assertThat(r.get("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(r.get("id").asText()).isEqualTo("a-1");
    assertThat(r.get("result").asText()).isEqualTo("\u00e9\n\u00e9\n");
    assertThat(r.has("error")).isFalse();
    assertThat(handle("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"echo\",\"params\":{\"text\":\"x\"}}")
        .get("id").isNull()).isTrue();
  }

  @Test
  void theStandardErrors() {
    assertThat(code(handle("{\"jsonrpc\":"))).isEqualTo(RpcError.PARSE_ERROR);
    assertThat(code(handle("{} {}"))).as("one value per line").isEqualTo(RpcError.PARSE_ERROR);
    assertThat(code(handle("{\"a\":1,\"a\":2}"))).as("duplicate keys").isEqualTo(RpcError.PARSE_ERROR);
    assertThat(handle("nope").get("id").isNull()).isTrue();
    assertThat(code(handle("[]"))).as("an empty batch").isEqualTo(RpcError.INVALID_REQUEST);
    assertThat(code(handle("42"))).isEqualTo(RpcError.INVALID_REQUEST);
    assertThat(code(handle("{\"id\":1,\"method\":\"echo\"}"))).isEqualTo(RpcError.INVALID_REQUEST);
    assertThat(handle("{\"id\":5,\"method\":\"echo\"}").get("id").asInt()).isEqualTo(5);
    assertThat(code(handle("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"echo\"}"))).isEqualTo(RpcError.INVALID_REQUEST);
    assertThat(code(handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}"))).isEqualTo(RpcError.INVALID_REQUEST);
    assertThat(code(handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nope\"}"))).isEqualTo(RpcError.METHOD_NOT_FOUND);
    assertThat(code(dispatcher.handle(new BoundedLineReader.Line(null, true, false)))).isEqualTo(RpcError.INVALID_REQUEST);
    assertThat(code(dispatcher.handle(new BoundedLineReader.Line(null, false, true)))).isEqualTo(RpcError.PARSE_ERROR);
    assertThat(handle("   ")).as("a blank line").isNull();
  }

  @Test
  void invalidParamsNameTheParameter() {
    String base = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":";
    assertThat(code(handle(base + "[\"x\"]}"))).isEqualTo(RpcError.INVALID_PARAMS);
    ObjectNode missing = handle(base + "{}}");
    assertThat(code(missing)).isEqualTo(RpcError.INVALID_PARAMS);
    assertThat(missing.get("error").get("message").asText()).contains("'text'");
    assertThat(handle(base + "{\"text\":1}}").get("error").get("message").asText()).contains("'text'");
    assertThat(handle(base + "{\"text\":\"x\",\"n\":4}}").get("error").get("message").asText()).contains("1..3");
    assertThat(handle(base + "{\"text\":\"x\",\"n\":1.5}}").get("error").get("code").asInt()).isEqualTo(RpcError.INVALID_PARAMS);
    assertThat(handle(base + "{\"text\":\"x\",\"txet\":1}}").get("error").get("message").asText()).contains("'txet'");
  }

  @Test
  void aVerbsFailureCarriesTheExitCode() {
    ObjectNode r = handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"unknown-contact\"}");
    assertThat(code(r)).isEqualTo(RpcError.APPLICATION - ExitCodes.BAD_INPUT);
    assertThat(r.get("error").get("data").get("exitCode").asInt()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.get("error").get("message").asText()).contains("no contact named 'x'");
    ObjectNode down = handle("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"relay-down\"}");
    assertThat(code(down)).isEqualTo(RpcError.APPLICATION - ExitCodes.RELAY);
    assertThat(down.get("error").get("message").asText()).contains("the relay is down");
  }

  @Test
  void notificationsGetNoResponseEvenWhenTheyFail() {
    assertThat(handle("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"text\":\"x\"}}")).isNull();
    assertThat(handle("{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}")).isNull();
    assertThat(handle("{\"jsonrpc\":\"2.0\",\"method\":\"unknown-contact\"}")).isNull();
  }

  @Test
  void aNotificationOfTheDaemonIsTheEventsObject() {
    ObjectNode n = RpcDispatcher.notification(new CliEvent.Delivery("bob", 3));
    assertThat(n.has("id")).isFalse();
    assertThat(n.get("method").asText()).isEqualTo("delivery");
    assertThat(n.get("params").get("type").asText()).isEqualTo("delivery");
    assertThat(n.get("params").get("sequence").asLong()).isEqualTo(3);
  }

  @Test
  void aBatchIsAnsweredInOrderWithoutItsNotifications() {
    JsonNode r = handleAny("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":{\"text\":\"a\"}},"
        + "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"text\":\"note\"}},"
        + "42,"
        + "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"unknown-contact\"},"
        + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"echo\",\"params\":{\"text\":\"b\",\"n\":2}}]");
    assertThat(r.isArray()).isTrue();
    assertThat(r).hasSize(4);
    assertThat(r.get(0).get("id").asInt()).isEqualTo(1);
    assertThat(r.get(0).get("result").asText()).isEqualTo("a");
    assertThat(r.get(1).get("id").isNull()).isTrue();
    assertThat(code(r.get(1))).as("a member that is not an object").isEqualTo(RpcError.INVALID_REQUEST);
    assertThat(r.get(2).get("id").asText()).isEqualTo("x");
    assertThat(code(r.get(2))).isEqualTo(RpcError.APPLICATION - ExitCodes.BAD_INPUT);
    assertThat(r.get(3).get("result").asText()).isEqualTo("bb");
  }

  @Test
  void aBatchOfNotificationsGetsNoResponseAndABatchIsBounded() {
    assertThat(handleAny("[{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"text\":\"a\"}}]")).isNull();
    String member = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":{\"text\":\"a\"}}";
    String full = "[" + String.join(",", java.util.Collections.nCopies(RpcDispatcher.MAX_BATCH, member)) + "]";
    assertThat(handleAny(full)).hasSize(RpcDispatcher.MAX_BATCH);
    String over = "[" + String.join(",", java.util.Collections.nCopies(RpcDispatcher.MAX_BATCH + 1, member)) + "]";
    JsonNode refused = handleAny(over);
    assertThat(refused.isObject()).isTrue();
    assertThat(code(refused)).isEqualTo(RpcError.INVALID_REQUEST);
    assertThat(refused.get("id").isNull()).isTrue();
  }
}
