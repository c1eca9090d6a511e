package io.wsgate.audit;

import java.util.Locale;

/** Why a checkpoint was written: the {@code reason} of its line. */
enum CheckpointReason {
  /** The checkpoint interval passed and the chain moved. */
  INTERVAL,
  /** The file's last line, before the next file starts. */
  ROTATE,
  /** The gateway stopped: the trail's last line. */
  STOP;

  private final String tag = name().toLowerCase(Locale.ROOT);

  String tag() {
    return tag;
  }
}
