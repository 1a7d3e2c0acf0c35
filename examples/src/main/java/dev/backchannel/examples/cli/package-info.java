/** The scriptable peer command line: {@code backchannel peer --state DIR <command>}. */
package dev.backchannel.examples.cli;
