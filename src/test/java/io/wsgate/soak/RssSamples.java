package io.wsgate.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's RSS, CPU time and open files, and the driver's open files, sampled over the run; the labelled
 * samples (idle, start, mid, end) also take the gateway's live heap after a full GC.
 */
final class RssSamples {
  record Sample(String label, double atSeconds, long rssMb, long liveHeapMb, long gatewayFds, long driverFds,
      double gatewayCpuSeconds) {
  }

  private final GatewayProcess gateway;
  private final List<Sample> samples = new ArrayList<>();

  RssSamples(GatewayProcess gateway) {
    this.gateway = gateway;
  }

  void sample(String label, double atSeconds) {
    double cpu = gateway.cpuSeconds();
    long rss = gateway.rssMb();
    long heap = label.isEmpty() ? -1 : gateway.liveHeapMb();
    samples.add(new Sample(label, atSeconds, rss, heap, gateway.openFiles(),
        GatewayProcess.openFiles(ProcessHandle.current().pid()), cpu));
  }

  Sample last() {
    return samples.get(samples.size() - 1);
  }

  Sample byLabel(String label) {
    return samples.stream().filter(s -> s.label().equals(label)).findFirst()
        .orElse(new Sample(label, Double.NaN, -1, -1, -1, -1, Double.NaN));
  }

  long get(String label) {
    return byLabel(label).rssMb();
  }

  long heap(String label) {
    return byLabel(label).liveHeapMb();
  }

  List<Sample> all() {
    return samples;
  }
}
