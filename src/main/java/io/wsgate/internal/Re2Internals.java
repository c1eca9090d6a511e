package io.wsgate.internal;

import com.google.re2j.Pattern;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * The literal every match of an RE2/J pattern starts with, which RE2/J computes when it compiles
 * ({@code RE2.prefix}: the run of single, case-sensitive characters the program begins with, e.g.
 * {@code <} for {@code (?i)<script}) and uses itself to skip to candidate positions. RE2/J keeps it
 * package-private; read once per compiled pattern, never per message. {@code InternalsTest} fails
 * when an RE2/J upgrade moves it.
 */
public final class Re2Internals {
  private static final MethodHandle RE2 = re2();
  private static final MethodHandle PREFIX = prefix();

  private Re2Internals() {
  }

  /** Whether this RE2/J still has the members {@link #literalPrefix} reads. */
  public static boolean prefixReadable() {
    return RE2 != null && PREFIX != null;
  }

  /** Every match of {@code pattern} starts with the returned text; "" when nothing is known. */
  public static String literalPrefix(Pattern pattern) {
    if (!prefixReadable()) {
      return "";
    }
    try {
      Object prefix = PREFIX.invoke(RE2.invoke(pattern));
      return prefix instanceof String s ? s : "";
    } catch (Throwable e) {
      return "";
    }
  }

  private static MethodHandle re2() {
    try {
      Method method = Pattern.class.getDeclaredMethod("re2");
      method.setAccessible(true);
      return MethodHandles.lookup().unreflect(method);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static MethodHandle prefix() {
    try {
      Field field = Class.forName("com.google.re2j.RE2").getDeclaredField("prefix");
      field.setAccessible(true);
      return MethodHandles.lookup().unreflectGetter(field);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
