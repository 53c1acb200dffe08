package sg.spgroup.auditor;

/**
 * The auditor's entry point: an independent winner engine on Apache Flink, run in an embedded
 * MiniCluster from this project's own jar (no Flink distribution to install).
 *
 * <ul>
 *   <li>{@code audit}: a bounded batch job over orders.completed computing the winners (WinnerAudit).
 *   <li>{@code standings}: the seed's one-minute micro-batch, provisional standings per minute (MinuteStandings).
 * </ul>
 */
public final class Auditor {
  private Auditor() {}

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    switch (args.mode) {
      case "audit" -> WinnerAudit.run(args);
      case "standings" -> MinuteStandings.run(args);
      default -> {
        System.err.println("unknown mode " + args.mode + "; use audit or standings");
        System.exit(2);
      }
    }
  }
}
