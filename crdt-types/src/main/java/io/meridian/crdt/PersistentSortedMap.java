package io.meridian.crdt;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;

/**
 * An immutable sorted map with cheap updates: an AVL tree (Adelson-Velsky and Landis, 1962) whose
 * {@link #plus} and {@link #minus} copy only the path to the changed key, so a new version shares
 * all but O(log n) nodes with the old one (a persistent structure in the sense of Driscoll et al.,
 * "Making data structures persistent", 1989). This is what lets a state of 100,000 items take a
 * one-item delta in microseconds instead of copying itself. The {@link SortedMap} view is
 * read-only; {@code equals} and {@code hashCode} are those of {@link Map}.
 *
 * @param <K> the key
 * @param <V> the value
 */
final class PersistentSortedMap<K, V> extends AbstractMap<K, V> implements SortedMap<K, V> {
  private static final PersistentSortedMap<?, ?> NATURAL_EMPTY = new PersistentSortedMap<>(null);

  private record Node<K, V>(K key, V value, Node<K, V> left, Node<K, V> right, int height, int size)
      implements Map.Entry<K, V> {
    @Override
    public K getKey() {
      return key;
    }

    @Override
    public V getValue() {
      return value;
    }

    @Override
    public V setValue(V value) {
      throw new UnsupportedOperationException("immutable");
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Map.Entry<?, ?> entry
          && Objects.equals(key, entry.getKey())
          && Objects.equals(value, entry.getValue());
    }

    @Override
    public int hashCode() {
      return Objects.hashCode(key) ^ Objects.hashCode(value);
    }
  }

  private final Comparator<? super K> order;
  private final Node<K, V> root;

  private PersistentSortedMap(Comparator<? super K> order, Node<K, V> root) {
    this.order = order;
    this.root = root;
  }

  private PersistentSortedMap(Comparator<? super K> order) {
    this(order, null);
  }

  /** The empty map of keys in their natural order. */
  @SuppressWarnings("unchecked")
  static <K extends Comparable<? super K>, V> PersistentSortedMap<K, V> empty() {
    return (PersistentSortedMap<K, V>) NATURAL_EMPTY;
  }

  /** The empty map of keys in {@code order}. */
  static <K, V> PersistentSortedMap<K, V> empty(Comparator<? super K> order) {
    return new PersistentSortedMap<>(Objects.requireNonNull(order));
  }

  /**
   * The same mappings as {@code sorted}, in its order; linear time. Returns {@code sorted} itself
   * when it is already persistent.
   */
  static <K, V> PersistentSortedMap<K, V> copyOf(SortedMap<K, V> sorted) {
    if (sorted instanceof PersistentSortedMap<K, V> persistent) {
      return persistent;
    }
    List<K> keys = new ArrayList<>(sorted.size());
    List<V> values = new ArrayList<>(sorted.size());
    sorted.forEach(
        (key, value) -> {
          keys.add(key);
          values.add(value);
        });
    return fromSorted(sorted.comparator(), keys, values);
  }

  /**
   * A map of {@code keys[i] -> values[i]}, built in linear time. The keys must be strictly
   * ascending in {@code order} (natural order when null); this is checked.
   */
  static <K, V> PersistentSortedMap<K, V> fromSorted(
      Comparator<? super K> order, List<K> keys, List<V> values) {
    if (keys.size() != values.size()) {
      throw new IllegalArgumentException("keys and values differ in number");
    }
    PersistentSortedMap<K, V> shape = new PersistentSortedMap<>(order);
    for (int i = 1; i < keys.size(); i++) {
      if (shape.compare(keys.get(i - 1), keys.get(i)) >= 0) {
        throw new IllegalArgumentException("keys not strictly ascending at " + keys.get(i));
      }
    }
    return new PersistentSortedMap<>(order, build(keys, values, 0, keys.size()));
  }

  private static <K, V> Node<K, V> build(List<K> keys, List<V> values, int from, int to) {
    if (from >= to) {
      return null;
    }
    int middle = (from + to) >>> 1;
    return node(
        keys.get(middle),
        values.get(middle),
        build(keys, values, from, middle),
        build(keys, values, middle + 1, to));
  }

  @SuppressWarnings("unchecked")
  private int compare(Object left, Object right) {
    return order == null
        ? ((Comparable<Object>) left).compareTo(right)
        : ((Comparator<Object>) order).compare(left, right);
  }

  private Node<K, V> find(Object key) {
    Node<K, V> node = root;
    while (node != null) {
      int comparison = compare(key, node.key);
      if (comparison == 0) {
        return node;
      }
      node = comparison < 0 ? node.left : node.right;
    }
    return null;
  }

  @Override
  public V get(Object key) {
    Node<K, V> node = key == null ? null : find(key);
    return node == null ? null : node.value;
  }

  @Override
  public boolean containsKey(Object key) {
    return key != null && find(key) != null;
  }

  @Override
  public int size() {
    return size(root);
  }

  @Override
  public boolean isEmpty() {
    return root == null;
  }

  /** This map with {@code key -> value}. */
  PersistentSortedMap<K, V> plus(K key, V value) {
    Objects.requireNonNull(key);
    Node<K, V> changed = put(root, key, value);
    return changed == root ? this : new PersistentSortedMap<>(order, changed);
  }

  /** This map without {@code key}. */
  PersistentSortedMap<K, V> minus(K key) {
    Node<K, V> changed = remove(root, key);
    return changed == root ? this : new PersistentSortedMap<>(order, changed);
  }

  private Node<K, V> put(Node<K, V> node, K key, V value) {
    if (node == null) {
      return node(key, value, null, null);
    }
    int comparison = compare(key, node.key);
    if (comparison < 0) {
      Node<K, V> left = put(node.left, key, value);
      return left == node.left ? node : balance(node.key, node.value, left, node.right);
    }
    if (comparison > 0) {
      Node<K, V> right = put(node.right, key, value);
      return right == node.right ? node : balance(node.key, node.value, node.left, right);
    }
    return node.value == value ? node : node(key, value, node.left, node.right);
  }

  private Node<K, V> remove(Node<K, V> node, K key) {
    if (node == null) {
      return null;
    }
    int comparison = compare(key, node.key);
    if (comparison < 0) {
      Node<K, V> left = remove(node.left, key);
      return left == node.left ? node : balance(node.key, node.value, left, node.right);
    }
    if (comparison > 0) {
      Node<K, V> right = remove(node.right, key);
      return right == node.right ? node : balance(node.key, node.value, node.left, right);
    }
    if (node.left == null) {
      return node.right;
    }
    if (node.right == null) {
      return node.left;
    }
    Node<K, V> successor = node.right;
    while (successor.left != null) {
      successor = successor.left;
    }
    return balance(successor.key, successor.value, node.left, removeFirst(node.right));
  }

  private static <K, V> Node<K, V> removeFirst(Node<K, V> node) {
    if (node.left == null) {
      return node.right;
    }
    return balance(node.key, node.value, removeFirst(node.left), node.right);
  }

  private static int height(Node<?, ?> node) {
    return node == null ? 0 : node.height;
  }

  private static int size(Node<?, ?> node) {
    return node == null ? 0 : node.size;
  }

  private static <K, V> Node<K, V> node(K key, V value, Node<K, V> left, Node<K, V> right) {
    return new Node<>(
        key,
        value,
        left,
        right,
        1 + Math.max(height(left), height(right)),
        1 + size(left) + size(right));
  }

  /** Restores the AVL bound (heights of siblings differ by at most one) after one change. */
  private static <K, V> Node<K, V> balance(K key, V value, Node<K, V> left, Node<K, V> right) {
    int leftHeight = height(left);
    int rightHeight = height(right);
    if (leftHeight > rightHeight + 1) {
      if (height(left.left) >= height(left.right)) {
        return node(left.key, left.value, left.left, node(key, value, left.right, right));
      }
      Node<K, V> pivot = left.right;
      return node(
          pivot.key,
          pivot.value,
          node(left.key, left.value, left.left, pivot.left),
          node(key, value, pivot.right, right));
    }
    if (rightHeight > leftHeight + 1) {
      if (height(right.right) >= height(right.left)) {
        return node(right.key, right.value, node(key, value, left, right.left), right.right);
      }
      Node<K, V> pivot = right.left;
      return node(
          pivot.key,
          pivot.value,
          node(key, value, left, pivot.left),
          node(right.key, right.value, pivot.right, right.right));
    }
    return node(key, value, left, right);
  }

  /** Entries in ascending key order. */
  private static final class InOrder<K, V> implements Iterator<Map.Entry<K, V>> {
    private final ArrayDeque<Node<K, V>> path = new ArrayDeque<>();

    InOrder(Node<K, V> root) {
      descend(root);
    }

    private void descend(Node<K, V> node) {
      for (Node<K, V> at = node; at != null; at = at.left) {
        path.push(at);
      }
    }

    @Override
    public boolean hasNext() {
      return !path.isEmpty();
    }

    @Override
    public Map.Entry<K, V> next() {
      if (path.isEmpty()) {
        throw new NoSuchElementException();
      }
      Node<K, V> node = path.pop();
      descend(node.right);
      return node;
    }
  }

  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<K, V>> iterator() {
        return new InOrder<>(root);
      }

      @Override
      public int size() {
        return PersistentSortedMap.this.size();
      }
    };
  }

  @Override
  public Comparator<? super K> comparator() {
    return order;
  }

  @Override
  public K firstKey() {
    if (root == null) {
      throw new NoSuchElementException();
    }
    Node<K, V> node = root;
    while (node.left != null) {
      node = node.left;
    }
    return node.key;
  }

  @Override
  public K lastKey() {
    if (root == null) {
      throw new NoSuchElementException();
    }
    Node<K, V> node = root;
    while (node.right != null) {
      node = node.right;
    }
    return node.key;
  }

  /** A copy of the range {@code [from, to)}; a null bound is open. Linear time. */
  private PersistentSortedMap<K, V> range(K from, K to) {
    List<K> keys = new ArrayList<>();
    List<V> values = new ArrayList<>();
    for (Map.Entry<K, V> entry : entrySet()) {
      if ((from == null || compare(entry.getKey(), from) >= 0)
          && (to == null || compare(entry.getKey(), to) < 0)) {
        keys.add(entry.getKey());
        values.add(entry.getValue());
      }
    }
    return fromSorted(order, keys, values);
  }

  @Override
  public SortedMap<K, V> subMap(K fromKey, K toKey) {
    return range(Objects.requireNonNull(fromKey), Objects.requireNonNull(toKey));
  }

  @Override
  public SortedMap<K, V> headMap(K toKey) {
    return range(null, Objects.requireNonNull(toKey));
  }

  @Override
  public SortedMap<K, V> tailMap(K fromKey) {
    return range(Objects.requireNonNull(fromKey), null);
  }

  /** Map equality; two persistent maps compare by one ordered walk. */
  @Override
  public boolean equals(Object other) {
    if (other == this) {
      return true;
    }
    if (!(other instanceof PersistentSortedMap<?, ?> map) || !Objects.equals(order, map.order)) {
      return super.equals(other);
    }
    if (size() != map.size()) {
      return false;
    }
    Iterator<Map.Entry<K, V>> mine = entrySet().iterator();
    Iterator<? extends Map.Entry<?, ?>> theirs = map.entrySet().iterator();
    while (mine.hasNext()) {
      if (!mine.next().equals(theirs.next())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return super.hashCode();
  }
}
