package sg.spgroup.auditor;

import java.util.HashMap;
import java.util.Map;

/** `--name value` or `--name=value` arguments; a missing required one stops the job with its name. */
final class Args {
  final String mode;
  private final Map<String, String> values = new HashMap<>();

  private Args(String mode) {
    this.mode = mode;
  }

  static Args parse(String[] argv) {
    if (argv.length == 0) throw new IllegalArgumentException("usage: audit|standings --name value …");
    Args args = new Args(argv[0]);
    for (int i = 1; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument: " + a);
      int eq = a.indexOf('=');
      if (eq > 0) args.values.put(a.substring(2, eq), a.substring(eq + 1));
      else if (i + 1 < argv.length) args.values.put(a.substring(2), argv[++i]);
      else throw new IllegalArgumentException("no value for " + a);
    }
    return args;
  }

  String required(String name) {
    String value = values.get(name);
    if (value == null || value.isBlank()) throw new IllegalArgumentException("--" + name + " is required");
    return value;
  }

  String optional(String name) {
    return values.get(name);
  }

  int positiveInt(String name) {
    int value = Integer.parseInt(required(name));
    if (value < 1) throw new IllegalArgumentException("--" + name + " must be at least 1");
    return value;
  }

  int intOr(String name, int fallback) {
    String value = values.get(name);
    return value == null ? fallback : Integer.parseInt(value);
  }
}
