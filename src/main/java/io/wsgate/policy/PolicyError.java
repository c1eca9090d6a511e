package io.wsgate.policy;

/**
 * One problem found in a policy file.
 *
 * @param file    the policy file's name as given to the loader
 * @param line    1-based line; 0 when the problem has no position (for example the file is unreadable)
 * @param column  1-based column; 0 when {@code line} is 0
 * @param field   path of the offending field, e.g. {@code routes[0].upstreams[1]}; empty for the whole document
 * @param message what is wrong, naming the offending value where there is one
 */
public record PolicyError(String file, int line, int column, String field, String message) {

  static PolicyError unpositioned(String file, String message) {
    return new PolicyError(file, 0, 0, "", message);
  }

  /** {@code file:line:col: field: message}; the position and field parts are left out when absent. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(file);
    if (line > 0) {
      out.append(':').append(line).append(':').append(column);
    }
    out.append(": ");
    if (!field.isEmpty()) {
      out.append(field).append(": ");
    }
    return out.append(message).toString();
  }
}
