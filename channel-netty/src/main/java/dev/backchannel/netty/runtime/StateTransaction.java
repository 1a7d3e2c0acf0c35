package dev.backchannel.netty.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one batch of the serial stage writes: puts and deletes applied in one atomic, synced
 * commit, the contact sessions it changed (serialized once, just before the commit), and what to
 * do once the commit is durable or has failed. Stage-confined.
 */
final class StateTransaction {
  private final Map<String, byte[]> puts = new HashMap<>();
  private final Set<String> deletes = new HashSet<>();
  private final Set<ContactSession> touched = new LinkedHashSet<>();
  private final List<Runnable> afterCommit = new ArrayList<>();
  private final List<Runnable> onFailure = new ArrayList<>();
  private final Acks acks = new Acks();

  void put(String key, byte[] value) {
    deletes.remove(key);
    puts.put(key, value);
  }

  void delete(String key) {
    puts.remove(key);
    deletes.add(key);
  }

  /** The session changed in memory: its record is written with this batch. */
  void touch(ContactSession session) {
    touched.add(session);
  }

  /** Runs {@code action} on the stage once the batch is durable. */
  void afterCommit(Runnable action) {
    afterCommit.add(action);
  }

  /** Runs {@code action} on the stage if the batch's commit fails. */
  void onFailure(Runnable action) {
    onFailure.add(action);
  }

  /** The batch's acknowledgements to the relays, sent after the commit. */
  Acks acks() {
    return acks;
  }

  Set<ContactSession> touched() {
    return touched;
  }

  Map<String, byte[]> puts() {
    return puts;
  }

  Set<String> deletes() {
    return deletes;
  }

  List<Runnable> afterCommitActions() {
    return afterCommit;
  }

  List<Runnable> failureActions() {
    return onFailure;
  }

  boolean isEmpty() {
    return puts.isEmpty() && deletes.isEmpty() && touched.isEmpty() && afterCommit.isEmpty();
  }
}
