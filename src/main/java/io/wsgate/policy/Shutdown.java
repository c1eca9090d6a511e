package io.wsgate.policy;

import java.time.Duration;

/**
 * Graceful stop: live sessions are closed with {@code closeCode} (1001 going away or 1012 service
 * restart), spread evenly over {@code drainWindow}; the process waits at most {@code drainTimeout}.
 */
public record Shutdown(int closeCode, Duration drainWindow, Duration drainTimeout) {
}
