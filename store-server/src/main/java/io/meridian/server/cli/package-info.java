/**
 * The {@code meridian} command line (API "Command line"), with picocli: {@code local}, {@code
 * certs} and {@code server}, each option also readable from a {@code --config} file (properties or
 * JSON with the same option names).
 */
package io.meridian.server.cli;
