/** The embedding example shown in the README, compiled and run by a test so it cannot drift. */
package dev.backchannel.examples.embed;
