package io.meridian.crdt;

import io.meridian.clocks.Dot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The list's items as a persistent sequence. Each item has a label (a {@code long}) that orders it;
 * the items live in an AVL tree by label with path copying, augmented with subtree sizes, counts of
 * undeleted items and the largest Lamport number, and a persistent map takes a tag to its label. So
 * finding an item, replacing it, inserting after it, finding the k-th undeleted item and the
 * largest Lamport number all cost O(log n), and each version shares everything else with the one it
 * came from. Labels are not part of the value: two sequences are equal when their items are, in
 * order.
 *
 * <p>A new item takes a label between its neighbours'. When they are adjacent, the smallest window
 * of ranks around the insert (doubling) whose label range leaves every item at least {@link
 * #MIN_GAP} apart is spread out evenly first, at O(log n) per item moved (order-maintenance
 * labelling; Dietz and Sleator, 1987; Bender et al., 2002).
 */
final class ItemSequence {
  /** The label distance between items of a sequence built from a list, and after the last. */
  static final long SPACING = 1L << 32;

  /** A window is spread out only if its items end up at least this far apart. */
  static final long MIN_GAP = 1L << 16;

  private static final ItemSequence EMPTY =
      new ItemSequence(null, PersistentSortedMap.<Dot, Long>empty(), 0);

  private final Node root;
  private final PersistentSortedMap<Dot, Long> labels;

  /** How many windows were relabelled on the way to this version (for tests; not the value). */
  private final int relabels;

  private ItemSequence(Node root, PersistentSortedMap<Dot, Long> labels, int relabels) {
    this.root = root;
    this.labels = labels;
    this.relabels = relabels;
  }

  static ItemSequence empty() {
    return EMPTY;
  }

  /** The items of {@code items}, in that order, labelled {@link #SPACING} apart: O(n). */
  static ItemSequence of(List<RgaList.Item> items) {
    if (items.isEmpty()) {
      return EMPTY;
    }
    List<Dot> tags = new ArrayList<>(items.size());
    List<Long> tagLabels = new ArrayList<>(items.size());
    List<Long> byTag = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      tags.add(items.get(i).tag());
      byTag.add(SPACING * (i + 1));
    }
    // The tag map is built sorted by tag, each tag with its item's label.
    List<Integer> order = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> tags.get(a).compareTo(tags.get(b)));
    List<Dot> sortedTags = new ArrayList<>(items.size());
    for (int index : order) {
      if (!sortedTags.isEmpty() && sortedTags.get(sortedTags.size() - 1).equals(tags.get(index))) {
        throw new IllegalArgumentException("a tag appears twice in the list: " + tags.get(index));
      }
      sortedTags.add(tags.get(index));
      tagLabels.add(byTag.get(index));
    }
    return new ItemSequence(
        build(items, 0, items.size()),
        PersistentSortedMap.fromSorted(null, sortedTags, tagLabels),
        0);
  }

  private static Node build(List<RgaList.Item> items, int from, int to) {
    if (from >= to) {
      return null;
    }
    int middle = (from + to) >>> 1;
    return new Node(
        SPACING * (middle + 1),
        items.get(middle),
        build(items, from, middle),
        build(items, middle + 1, to));
  }

  /** How many windows were relabelled on the way to this version (a test's check). */
  int relabelledWindows() {
    return relabels;
  }

  int size() {
    return Node.size(root);
  }

  boolean isEmpty() {
    return root == null;
  }

  /** The number of items not deleted. */
  int undeletedCount() {
    return Node.live(root);
  }

  /** The largest Lamport number of the items, or 0. */
  long maxLamport() {
    return root == null ? 0 : root.maxLamport;
  }

  boolean contains(Dot tag) {
    return labels.containsKey(tag);
  }

  /** The item with {@code tag}, or null. */
  RgaList.Item get(Dot tag) {
    Long label = labels.get(tag);
    return label == null ? null : find(root, label).item;
  }

  /** The {@code index}-th item not deleted, counting from 0. */
  RgaList.Item undeletedAt(int index) {
    Node node = root;
    int rank = index;
    while (node != null) {
      int left = Node.live(node.left);
      if (rank < left) {
        node = node.left;
        continue;
      }
      rank -= left;
      if (node.item.deletedBy() == null) {
        if (rank == 0) {
          return node.item;
        }
        rank--;
      }
      node = node.right;
    }
    throw new IndexOutOfBoundsException(index);
  }

  /**
   * This sequence with the item of {@code item.tag()}, which it holds, replaced by {@code item}.
   */
  ItemSequence replace(RgaList.Item item) {
    long label = labels.get(item.tag());
    return new ItemSequence(put(root, label, item), labels, relabels);
  }

  /** This sequence without the item of {@code tag} (the same when it holds none). */
  ItemSequence remove(Dot tag) {
    Long label = labels.get(tag);
    if (label == null) {
      return this;
    }
    return new ItemSequence(delete(root, label), labels.minus(tag), relabels);
  }

  /**
   * This sequence with {@code item} put after its origin (the head when null), past every item with
   * a larger RGA key ({@link RgaList#KEY}). O(log n) per item passed, plus the spreading of a
   * window when the neighbours' labels are adjacent.
   */
  ItemSequence integrate(RgaList.Item item) {
    // An origin the sequence does not hold (collected) puts the item at the head, as before.
    Long origin = item.origin() == null ? null : labels.get(item.origin());
    long previous = origin == null ? 0 : origin;
    Node next = after(root, previous);
    while (next != null && RgaList.KEY.compare(next.item, item) > 0) {
      previous = next.label;
      next = after(root, previous);
    }
    long upper = next == null ? Long.MAX_VALUE : next.label;
    if (upper - previous < 2) {
      ItemSequence spread = spreadAround(previous);
      return spread.integrate(item);
    }
    long label =
        next == null && Long.MAX_VALUE - previous > SPACING
            ? previous + SPACING
            : previous + (upper - previous) / 2;
    return new ItemSequence(put(root, label, item), labels.plus(item.tag(), label), relabels);
  }

  /**
   * The same items with the smallest window of ranks around the item labelled {@code label} (or the
   * head, 0) spread evenly over its label range, so that it leaves room after that item.
   */
  private ItemSequence spreadAround(long label) {
    int size = size();
    int rank = label == 0 ? -1 : rank(root, label);
    for (int half = 1; ; half *= 2) {
      int from = Math.max(0, rank - half + 1);
      int to = Math.min(size - 1, rank + half);
      long lower = from == 0 ? 0 : at(root, from - 1).label;
      long upper = to == size - 1 ? Long.MAX_VALUE : at(root, to + 1).label;
      long count = to - from + 1;
      long gap = (upper - lower) / (count + 1);
      if (gap >= MIN_GAP || (from == 0 && to == size - 1)) {
        if (gap < 2) {
          throw new IllegalStateException("no room for " + (size + 1) + " list items");
        }
        return relabel(from, to, lower, gap);
      }
    }
  }

  private ItemSequence relabel(int from, int to, long lower, long gap) {
    List<Node> moved = new ArrayList<>(to - from + 1);
    for (int rank = from; rank <= to; rank++) {
      moved.add(at(root, rank));
    }
    Node tree = root;
    for (Node node : moved) {
      tree = delete(tree, node.label);
    }
    PersistentSortedMap<Dot, Long> tags = labels;
    long next = lower;
    for (Node node : moved) {
      next += gap;
      tree = put(tree, next, node.item);
      tags = tags.plus(node.item.tag(), next);
    }
    return new ItemSequence(tree, tags, relabels + 1);
  }

  /** The items in order: O(n). */
  List<RgaList.Item> toList() {
    List<RgaList.Item> items = new ArrayList<>(size());
    collect(root, items);
    return Collections.unmodifiableList(items);
  }

  private static void collect(Node node, List<RgaList.Item> into) {
    if (node != null) {
      collect(node.left, into);
      into.add(node.item);
      collect(node.right, into);
    }
  }

  // ---- the tree

  private static Node find(Node tree, long label) {
    Node node = tree;
    while (node != null && node.label != label) {
      node = label < node.label ? node.left : node.right;
    }
    return node;
  }

  /** The node with the smallest label above {@code label}, or null. */
  private static Node after(Node tree, long label) {
    Node found = null;
    Node node = tree;
    while (node != null) {
      if (node.label > label) {
        found = node;
        node = node.left;
      } else {
        node = node.right;
      }
    }
    return found;
  }

  /** The number of labels below {@code label}. */
  private static int rank(Node tree, long label) {
    int rank = 0;
    Node node = tree;
    while (node != null) {
      if (label <= node.label) {
        if (label == node.label) {
          return rank + Node.size(node.left);
        }
        node = node.left;
      } else {
        rank += Node.size(node.left) + 1;
        node = node.right;
      }
    }
    return rank;
  }

  private static Node at(Node tree, int index) {
    Node node = tree;
    int rank = index;
    while (true) {
      int left = Node.size(node.left);
      if (rank < left) {
        node = node.left;
      } else if (rank == left) {
        return node;
      } else {
        rank -= left + 1;
        node = node.right;
      }
    }
  }

  private static Node put(Node node, long label, RgaList.Item item) {
    if (node == null) {
      return new Node(label, item, null, null);
    }
    if (label < node.label) {
      return balance(node.label, node.item, put(node.left, label, item), node.right);
    }
    if (label > node.label) {
      return balance(node.label, node.item, node.left, put(node.right, label, item));
    }
    return new Node(label, item, node.left, node.right);
  }

  private static Node delete(Node node, long label) {
    if (node == null) {
      return null;
    }
    if (label < node.label) {
      return balance(node.label, node.item, delete(node.left, label), node.right);
    }
    if (label > node.label) {
      return balance(node.label, node.item, node.left, delete(node.right, label));
    }
    if (node.left == null) {
      return node.right;
    }
    if (node.right == null) {
      return node.left;
    }
    Node smallest = node.right;
    while (smallest.left != null) {
      smallest = smallest.left;
    }
    return balance(smallest.label, smallest.item, node.left, delete(node.right, smallest.label));
  }

  private static Node balance(long label, RgaList.Item item, Node left, Node right) {
    int difference = Node.height(left) - Node.height(right);
    if (difference > 1) {
      if (Node.height(left.left) < Node.height(left.right)) {
        left = rotateLeft(left.label, left.item, left.left, left.right);
      }
      return rotateRight(label, item, left, right);
    }
    if (difference < -1) {
      if (Node.height(right.right) < Node.height(right.left)) {
        right = rotateRight(right.label, right.item, right.left, right.right);
      }
      return rotateLeft(label, item, left, right);
    }
    return new Node(label, item, left, right);
  }

  private static Node rotateRight(long label, RgaList.Item item, Node left, Node right) {
    return new Node(left.label, left.item, left.left, new Node(label, item, left.right, right));
  }

  private static Node rotateLeft(long label, RgaList.Item item, Node left, Node right) {
    return new Node(right.label, right.item, new Node(label, item, left, right.left), right.right);
  }

  private static final class Node {
    final long label;
    final RgaList.Item item;
    final Node left;
    final Node right;
    final int height;
    final int size;
    final int live;
    final long maxLamport;

    Node(long label, RgaList.Item item, Node left, Node right) {
      this.label = label;
      this.item = item;
      this.left = left;
      this.right = right;
      this.height = 1 + Math.max(height(left), height(right));
      this.size = 1 + size(left) + size(right);
      this.live = (item.deletedBy() == null ? 1 : 0) + live(left) + live(right);
      this.maxLamport = Math.max(item.lamport(), Math.max(maxLamport(left), maxLamport(right)));
    }

    static int height(Node node) {
      return node == null ? 0 : node.height;
    }

    static int size(Node node) {
      return node == null ? 0 : node.size;
    }

    static int live(Node node) {
      return node == null ? 0 : node.live;
    }

    static long maxLamport(Node node) {
      return node == null ? 0 : node.maxLamport;
    }
  }
}
