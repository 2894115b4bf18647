package io.meridian.server.cli;

import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code meridian} executable: {@code local}, {@code certs} and {@code server} (API "Command
 * line"). A {@code --config FILE} anywhere after the command supplies options that the command line
 * does not give.
 */
@Command(
    name = "meridian",
    mixinStandardHelpOptions = true,
    version = "meridian 0.1.0",
    description = "A causally consistent, geo-replicated CRDT store.",
    subcommands = {LocalCommand.class, CertsCommand.class, ServerCommand.class})
public final class MeridianCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] arguments) {
    int exitCode = execute(arguments);
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  /** Runs the command line and returns its exit code (0 success, 1 failure, 2 usage error). */
  public static int execute(String... arguments) {
    return execute(
        new java.io.PrintWriter(System.out, true),
        new java.io.PrintWriter(System.err, true),
        arguments);
  }

  /** {@link #execute(String...)} with the given standard output and error. */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... arguments) {
    CommandLine commandLine = new CommandLine(new MeridianCommand());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(
        (exception, line, parseResult) -> {
          line.getErr().println("meridian: " + exception.getMessage());
          return 1;
        });
    try {
      applyConfigFile(commandLine, arguments);
    } catch (IllegalArgumentException | CommandLine.ParameterException e) {
      commandLine.getErr().println("meridian: " + e.getMessage());
      return 2;
    }
    return commandLine.execute(arguments);
  }

  /** Finds {@code --config FILE} (or {@code --config=FILE}) and installs it as the defaults. */
  private static void applyConfigFile(CommandLine commandLine, String[] arguments) {
    if (arguments.length == 0) {
      return;
    }
    CommandLine subcommand = commandLine.getSubcommands().get(arguments[0]);
    if (subcommand == null) {
      return;
    }
    String[] rest = Arrays.copyOfRange(arguments, 1, arguments.length);
    Path file = null;
    for (int i = 0; i < rest.length; i++) {
      if (rest[i].equals("--config") && i + 1 < rest.length) {
        file = Path.of(rest[i + 1]);
      } else if (rest[i].startsWith("--config=")) {
        file = Path.of(rest[i].substring("--config=".length()));
      }
    }
    if (file == null) {
      return;
    }
    ConfigFile config = ConfigFile.load(file);
    config.checkNames(subcommand.getCommandSpec());
    subcommand.setDefaultValueProvider(config);
  }
}
