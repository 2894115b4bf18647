package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module's public surface is the short list its README shows: what the other modules use. A
 * type made public by mistake, or one the README no longer lists, fails here.
 */
class PublicSurfaceTest {
  private static final Set<String> PUBLIC =
      Set.of(
          "ClientSequence",
          "CrdtRegistry",
          "CrdtRequestException",
          "CrdtState",
          "CrdtType",
          "Effect",
          "Element",
          "ErrorCode",
          "Operation",
          "UpdateContext");

  @Test
  void onlyTheListedTopLevelTypesArePublic() throws Exception {
    Path classes =
        Path.of(CrdtRegistry.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolve("io/meridian/crdt");
    Set<String> found = new TreeSet<>();
    try (Stream<Path> files = Files.list(classes)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".class") || name.contains("$") || name.startsWith("package-info")) {
          continue;
        }
        String simple = name.substring(0, name.length() - ".class".length());
        if (Modifier.isPublic(Class.forName("io.meridian.crdt." + simple).getModifiers())) {
          found.add(simple);
        }
      }
    }
    assertThat(found).containsExactlyInAnyOrderElementsOf(PUBLIC);
  }
}
