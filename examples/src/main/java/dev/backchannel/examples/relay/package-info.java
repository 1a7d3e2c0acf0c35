/** The relay node as a command: {@code java -jar backchannel.jar relay --data DIR}. */
package dev.backchannel.examples.relay;
