package io.wsgate.policy;

/**
 * What a message rule does to a message it refuses: {@code DROP} sends the client a small JSON
 * error frame and keeps the session; {@code CLOSE} ends the session with the rule's close code.
 */
public enum Action { DROP, CLOSE }
