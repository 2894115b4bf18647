package io.meridian.sdk.example;

import io.meridian.sdk.Codec;
import io.meridian.sdk.Counter;
import io.meridian.sdk.ElementSet;
import io.meridian.sdk.Meridian;
import io.meridian.sdk.SyncStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A shopping list shared by a household: items in an add-wins set, and a counter of everything ever
 * added. It keeps working without a network: changes apply at once, survive a restart, and reach
 * the regions exactly once when they are back.
 */
public final class ShoppingList implements AutoCloseable {
  private final Meridian client;
  private final ElementSet<String> items;
  private final Counter added;

  /**
   * @param household the list's key
   * @param regions region name to URL; the first is home
   * @param directory where changes wait while offline
   */
  public ShoppingList(String household, Map<String, String> regions, Path directory) {
    Meridian.Builder builder =
        Meridian.builder().offlineDirectory(directory).requestTimeout(Duration.ofSeconds(2));
    regions.forEach(builder::region);
    client = builder.build();
    items = client.addWinsSet("shopping", household, Codec.strings());
    added = client.counter("shopping", household + "-added");
  }

  /** Adds an item and counts it, both or neither. */
  public void add(String item) {
    client.batch(items.addUpdate(List.of(item)), added.incrementUpdate(1));
  }

  /** Removes an item as this device saw it: one added elsewhere meanwhile stays. */
  public void bought(String item) {
    items.remove(item);
  }

  /** The items, this device's changes included even when offline. */
  public Set<String> items() {
    return items.elements();
  }

  /** How many items were ever added. */
  public long everAdded() {
    return added.value();
  }

  /** "3 changes waiting" for the user interface. */
  public SyncStatus status() {
    return client.syncStatus();
  }

  /** Waits until every change reached a region. */
  public boolean sync(Duration timeout) throws InterruptedException {
    return client.awaitSynced(timeout);
  }

  @Override
  public void close() {
    client.close();
  }

  /** {@code ShoppingList DIRECTORY NAME=URL...}: adds the arguments' items, prints the list. */
  public static void main(String[] arguments) throws InterruptedException {
    Map<String, String> regions = new java.util.LinkedHashMap<>();
    for (int i = 1; i < arguments.length; i++) {
      String[] nameAndUrl = arguments[i].split("=", 2);
      regions.put(nameAndUrl[0], nameAndUrl[1]);
    }
    try (ShoppingList list = new ShoppingList("home", regions, Path.of(arguments[0]))) {
      list.add("milk");
      list.add("bread");
      list.bought("milk");
      System.out.println(list.items() + ", " + list.status().pendingUpdates() + " waiting");
      list.sync(Duration.ofSeconds(10));
    }
  }
}
