package io.wsgate.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy could not be loaded; carries every problem found, in file order. */
public class PolicyException extends Exception {
  private final List<PolicyError> errors;

  public PolicyException(List<PolicyError> errors) {
    super(errors.stream().map(PolicyError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  public PolicyException(PolicyError error) {
    this(List.of(error));
  }

  public List<PolicyError> errors() {
    return errors;
  }
}
