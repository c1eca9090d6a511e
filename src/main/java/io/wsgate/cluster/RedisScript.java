package io.wsgate.cluster;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script run atomically on the Redis server: by its SHA-1 ({@code EVALSHA}), and by its text
 * when the server does not know it yet (first use, or after a restart emptied the script cache).
 */
final class RedisScript {
  private final String source;
  private final String sha;
  private final ScriptOutputType output;

  RedisScript(String source, ScriptOutputType output) {
    this.source = source;
    this.output = output;
    this.sha = sha1(source);
  }

  <T> CompletionStage<T> run(RedisClusterAsyncCommands<String, byte[]> redis, String[] keys, byte[]... args) {
    CompletionStage<T> first = redis.evalsha(sha, output, keys, args);
    return first.exceptionallyCompose(failure -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof RedisNoScriptException) {
        return redis.eval(source, output, keys, args);
      }
      return CompletableFuture.failedFuture(cause);
    });
  }

  static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] bytes(long value) {
    return bytes(Long.toString(value));
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
