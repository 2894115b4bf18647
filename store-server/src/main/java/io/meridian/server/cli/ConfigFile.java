package io.meridian.server.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;

/**
 * A {@code --config} file: the options of a command by their long names (with or without the
 * leading dashes), as Java properties or as a JSON object. A repeatable option is a JSON array, or
 * a comma-separated property. Options given on the command line win over the file.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {
  private final Path file;
  private final Map<String, String> values;

  private ConfigFile(Path file, Map<String, String> values) {
    this.file = file;
    this.values = values;
  }

  static ConfigFile load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (text.stripLeading().startsWith("{")) {
      JsonObject json;
      try {
        json = new JsonObject(text);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("config file " + file + " is not valid JSON");
      }
      for (Map.Entry<String, Object> entry : json) {
        values.put(optionName(entry.getKey()), jsonValue(file, entry.getKey(), entry.getValue()));
      }
    } else {
      Properties properties = new Properties();
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        properties.load(reader);
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException("config file " + file + " is not a properties file");
      }
      for (String name : properties.stringPropertyNames()) {
        values.put(optionName(name), properties.getProperty(name).strip());
      }
    }
    return new ConfigFile(file, values);
  }

  private static String optionName(String key) {
    String name = key.strip();
    while (name.startsWith("-")) {
      name = name.substring(1);
    }
    return name;
  }

  private static String jsonValue(Path file, String key, Object value) {
    if (value instanceof JsonArray array) {
      List<String> items = new ArrayList<>();
      for (Object item : array) {
        items.add(jsonValue(file, key, item));
      }
      return String.join(",", items);
    }
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    throw new IllegalArgumentException(
        "config file " + file + ": option " + key + " must be a string, number, boolean or array");
  }

  /** Fails when the file names an option that {@code command} does not have. */
  void checkNames(CommandLine.Model.CommandSpec command) {
    for (String name : values.keySet()) {
      CommandLine.Model.OptionSpec option = command.findOption("--" + name);
      if (option == null || name.equals("config")) {
        throw new CommandLine.ParameterException(
            command.commandLine(),
            "config file "
                + file
                + " names an unknown option for '"
                + command.name()
                + "': "
                + name);
      }
    }
  }

  @Override
  public String defaultValue(CommandLine.Model.ArgSpec argument) {
    if (!(argument instanceof CommandLine.Model.OptionSpec option)) {
      return null;
    }
    return values.get(optionName(option.longestName()));
  }
}
