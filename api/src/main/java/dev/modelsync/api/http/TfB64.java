package dev.modelsync.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * TF Serving's binary values: a BYTES element may be written {@code {"b64": "<base64>"}}. This
 * server carries BYTES elements as text, so the decoded bytes must be UTF-8; anything else is a 400
 * saying so rather than text silently changed.
 */
final class TfB64 {
  private TfB64() {}

  static boolean isB64(JsonNode node) {
    return node.isObject() && node.size() == 1 && node.has("b64");
  }

  /** {@code value} with every {@code {"b64": ...}} element replaced by its decoded text. */
  static JsonNode decode(String input, JsonNode value) {
    return decode(input, value, new int[1]);
  }

  private static JsonNode decode(String input, JsonNode node, int[] at) {
    if (node.isArray()) {
      ArrayNode out = TensorCodec.MAPPER.createArrayNode();
      for (JsonNode child : node) {
        out.add(decode(input, child, at));
      }
      return out;
    }
    int index = at[0]++;
    if (!isB64(node)) {
      return node;
    }
    JsonNode text = node.get("b64");
    if (!text.isTextual()) {
      throw ApiError.badRequest(
          "input '" + input + "' value at " + index + ": 'b64' must be a base64 string");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text.textValue());
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(
          "input '" + input + "' value at " + index + ": 'b64' is not valid base64");
    }
    try {
      return TextNode.valueOf(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString());
    } catch (CharacterCodingException e) {
      throw ApiError.badRequest(
          "input '"
              + input
              + "' value at "
              + index
              + ": the 'b64' bytes are not UTF-8 text, and this server carries BYTES as text");
    }
  }
}
