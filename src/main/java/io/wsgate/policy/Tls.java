package io.wsgate.policy;

import java.nio.file.Path;

/**
 * PEM certificate chain and private key (paths resolved against the policy file's directory).
 *
 * @param devCertificate when true and both files are missing, the gateway generates a self-signed
 *                       development certificate there on start and warns loudly that it did
 */
public record Tls(Path cert, Path key, boolean devCertificate) {
}
