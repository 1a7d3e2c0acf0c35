/** Runnable examples: the relay node command line ({@code relay}). */
package dev.backchannel.examples;
