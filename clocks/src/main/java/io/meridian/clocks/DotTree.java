package io.meridian.clocks;

import java.util.AbstractList;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A persistent sorted set of dots: an AVL tree with path copying and subtree sizes, so adding or
 * removing a dot costs O(log n) and shares everything else with the tree it came from. It holds the
 * cloud of a {@link CausalContext}; the empty tree is {@code null}.
 */
final class DotTree {
  final Dot dot;
  final DotTree left;
  final DotTree right;
  final int height;
  final int size;

  private DotTree(Dot dot, DotTree left, DotTree right) {
    this.dot = dot;
    this.left = left;
    this.right = right;
    this.height = 1 + Math.max(height(left), height(right));
    this.size = 1 + size(left) + size(right);
  }

  static int size(DotTree tree) {
    return tree == null ? 0 : tree.size;
  }

  private static int height(DotTree tree) {
    return tree == null ? 0 : tree.height;
  }

  static boolean contains(DotTree tree, Dot dot) {
    DotTree node = tree;
    while (node != null) {
      int comparison = dot.compareTo(node.dot);
      if (comparison == 0) {
        return true;
      }
      node = comparison < 0 ? node.left : node.right;
    }
    return false;
  }

  /** The largest counter of {@code replica} in the tree, or 0. */
  static long max(DotTree tree, String replica) {
    long max = 0;
    DotTree node = tree;
    while (node != null) {
      int comparison = replica.compareTo(node.dot.replica());
      if (comparison < 0) {
        node = node.left;
      } else if (comparison > 0) {
        node = node.right;
      } else {
        max = node.dot.counter();
        node = node.right;
      }
    }
    return max;
  }

  /** The tree with {@code dot} added (the same tree when it holds it already). */
  static DotTree plus(DotTree tree, Dot dot) {
    if (tree == null) {
      return new DotTree(dot, null, null);
    }
    int comparison = dot.compareTo(tree.dot);
    if (comparison == 0) {
      return tree;
    }
    if (comparison < 0) {
      DotTree left = plus(tree.left, dot);
      return left == tree.left ? tree : balance(tree.dot, left, tree.right);
    }
    DotTree right = plus(tree.right, dot);
    return right == tree.right ? tree : balance(tree.dot, tree.left, right);
  }

  /** The tree without {@code dot} (the same tree when it does not hold it). */
  static DotTree minus(DotTree tree, Dot dot) {
    if (tree == null) {
      return null;
    }
    int comparison = dot.compareTo(tree.dot);
    if (comparison < 0) {
      DotTree left = minus(tree.left, dot);
      return left == tree.left ? tree : balance(tree.dot, left, tree.right);
    }
    if (comparison > 0) {
      DotTree right = minus(tree.right, dot);
      return right == tree.right ? tree : balance(tree.dot, tree.left, right);
    }
    if (tree.left == null) {
      return tree.right;
    }
    if (tree.right == null) {
      return tree.left;
    }
    DotTree smallest = tree.right;
    while (smallest.left != null) {
      smallest = smallest.left;
    }
    return balance(smallest.dot, tree.left, minus(tree.right, smallest.dot));
  }

  private static DotTree balance(Dot dot, DotTree left, DotTree right) {
    int difference = height(left) - height(right);
    if (difference > 1) {
      if (height(left.left) < height(left.right)) {
        left = rotateLeft(left.dot, left.left, left.right);
      }
      return rotateRight(dot, left, right);
    }
    if (difference < -1) {
      if (height(right.right) < height(right.left)) {
        right = rotateRight(right.dot, right.left, right.right);
      }
      return rotateLeft(dot, left, right);
    }
    return new DotTree(dot, left, right);
  }

  private static DotTree rotateRight(Dot dot, DotTree left, DotTree right) {
    return new DotTree(left.dot, left.left, new DotTree(dot, left.right, right));
  }

  private static DotTree rotateLeft(Dot dot, DotTree left, DotTree right) {
    return new DotTree(right.dot, new DotTree(dot, left, right.left), right.right);
  }

  /** A balanced tree of {@code dots}, which must be strictly ascending: O(n). */
  static DotTree ofSorted(List<Dot> dots) {
    return build(dots, 0, dots.size());
  }

  private static DotTree build(List<Dot> dots, int from, int to) {
    if (from >= to) {
      return null;
    }
    int middle = (from + to) >>> 1;
    return new DotTree(dots.get(middle), build(dots, from, middle), build(dots, middle + 1, to));
  }

  /** The {@code index}-th smallest dot, O(log n). */
  static Dot get(DotTree tree, int index) {
    DotTree node = tree;
    int rank = index;
    while (node != null) {
      int leftSize = size(node.left);
      if (rank < leftSize) {
        node = node.left;
      } else if (rank == leftSize) {
        return node.dot;
      } else {
        rank -= leftSize + 1;
        node = node.right;
      }
    }
    throw new IndexOutOfBoundsException(index);
  }

  /** The dots in ascending order, O(n) for the whole walk. */
  static Iterator<Dot> iterator(DotTree tree) {
    return new Iterator<>() {
      private final ArrayDeque<DotTree> path = new ArrayDeque<>();

      {
        descend(tree);
      }

      private void descend(DotTree node) {
        for (DotTree each = node; each != null; each = each.left) {
          path.push(each);
        }
      }

      @Override
      public boolean hasNext() {
        return !path.isEmpty();
      }

      @Override
      public Dot next() {
        if (path.isEmpty()) {
          throw new NoSuchElementException();
        }
        DotTree node = path.pop();
        descend(node.right);
        return node.dot;
      }
    };
  }

  /** A read-only list view of a tree: size O(1), get O(log n), iteration O(n). */
  static List<Dot> asList(DotTree tree) {
    if (tree == null) {
      return List.of();
    }
    return new AbstractList<>() {
      @Override
      public Dot get(int index) {
        if (index < 0 || index >= tree.size) {
          throw new IndexOutOfBoundsException(index);
        }
        return DotTree.get(tree, index);
      }

      @Override
      public int size() {
        return tree.size;
      }

      @Override
      public Iterator<Dot> iterator() {
        return DotTree.iterator(tree);
      }
    };
  }
}
