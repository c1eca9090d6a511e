package io.wsgate.filter;

import com.google.re2j.Pattern;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;

/**
 * JSON Schema {@code pattern} / {@code patternProperties} on RE2/J: linear time whatever the
 * input, like our deny patterns. Unanchored search, as JSON Schema specifies (and as the
 * validator's own JDK implementation does). RE2 syntax has no backreferences or lookaround; a
 * schema using them fails to compile when the policy loads.
 */
final class Re2RegularExpressionFactory implements RegularExpressionFactory {
  static final Re2RegularExpressionFactory INSTANCE = new Re2RegularExpressionFactory();

  private Re2RegularExpressionFactory() {
  }

  @Override
  public RegularExpression getRegularExpression(String regex) {
    Pattern pattern = Pattern.compile(regex);
    return value -> pattern.matcher(value).find();
  }
}
