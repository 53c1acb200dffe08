package sg.spgroup.auditor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.common.TopicPartition;

/**
 * Audit mode: a bounded batch job over orders.completed, from the first offset to the given stop
 * offsets (the end of the log when none are given), that computes the campaign's winners with
 * Flink SQL, written from the seed's reference query:
 *
 * <pre>
 * first_customers = the first N customers by the time of their first successful order in the window
 *                   (ties by that order's id), with the largest amount of their successful orders;
 * winners         = of those, the ones whose largest amount is strictly above the minimum, first K.
 * </pre>
 *
 * Each order counts once however often its event was delivered (the same order id). Prints one
 * line "AUDIT_RESULT {json}" on standard output; logs go to standard error.
 */
public final class WinnerAudit {
  private static final DateTimeFormatter SQL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
  private static final DateTimeFormatter ISO_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

  public static void run(Args args) throws Exception {
    LocalDateTime start = CompletedOrders.utc(args.required("start"));
    LocalDateTime end = CompletedOrders.utc(args.required("end"));
    int maxTracked = args.positiveInt("max-tracked");
    int totalReward = args.positiveInt("total-reward");
    BigDecimal minimum = new BigDecimal(args.required("min-amount")).setScale(2, RoundingMode.UNNECESSARY);
    long began = System.nanoTime();

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.setParallelism(args.intOr("parallelism", 2));
    KafkaSource<Row> source = KafkaSource.<Row>builder()
        .setBootstrapServers(args.required("bootstrap-servers"))
        .setTopics(args.required("topic"))
        .setGroupId("spgroup-flink-auditor")
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setBounded(stopOffsets(args))
        .setDeserializer(new CompletedOrders())
        .setProperty("enable.auto.commit", "false")
        .setProperty("commit.offsets.on.checkpoint", "false")
        .build();
    DataStream<Row> completed = env.fromSource(source, WatermarkStrategy.noWatermarks(), "orders.completed");
    StreamTableEnvironment tables = StreamTableEnvironment.create(env);
    tables.getConfig().setLocalTimeZone(ZoneOffset.UTC);
    tables.createTemporaryView("completed_orders", completed);

    String window = "created_at >= TIMESTAMP '" + SQL_TIME.format(start) + "' AND created_at <= TIMESTAMP '" + SQL_TIME.format(end) + "'";
    // The seed's query, with the two things it leaves open made explicit: an order delivered twice
    // counts once, and a tie on the first order's time goes to the smaller order id.
    String sql = String.join("\n",
        "WITH records AS (",
        "  SELECT COUNT(*) AS records, COALESCE(SUM(CASE WHEN status = 'UNREADABLE' THEN 1 ELSE 0 END), 0) AS unreadable FROM completed_orders",
        "), successful AS (",
        "  SELECT order_id, customer_id, customer_name, total_amount, created_at FROM (",
        "    SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY kafka_partition, kafka_offset) AS copy",
        "    FROM completed_orders WHERE status = 'SUCCESS' AND " + window,
        "  ) WHERE copy = 1",
        "), first_orders AS (",
        "  SELECT customer_id, customer_name, created_at AS first_order_date, order_id AS first_order_id FROM (",
        "    SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY created_at, order_id) AS n FROM successful",
        "  ) WHERE n = 1",
        "), first_customers AS (",
        "  SELECT f.customer_id, f.customer_name, f.first_order_date, f.first_order_id, m.max_order_amount,",
        "         ROW_NUMBER() OVER (ORDER BY f.first_order_date, f.first_order_id) AS rank_",
        "  FROM first_orders f",
        "  JOIN (SELECT customer_id, MAX(total_amount) AS max_order_amount FROM successful GROUP BY customer_id) m",
        "    ON f.customer_id = m.customer_id",
        "), tracked AS (",
        "  SELECT * FROM first_customers WHERE rank_ <= " + maxTracked,
        "), winners AS (",
        "  SELECT rank_, ROW_NUMBER() OVER (ORDER BY rank_) AS place FROM tracked WHERE max_order_amount > CAST('" + minimum.toPlainString() + "' AS DECIMAL(12, 2))",
        ")",
        "SELECT 'customer' AS kind, t.rank_, t.customer_id, t.customer_name, t.first_order_date, t.first_order_id, t.max_order_amount, w.place,",
        "       CAST(NULL AS BIGINT) AS records, CAST(NULL AS BIGINT) AS unreadable",
        "FROM tracked t LEFT JOIN winners w ON t.rank_ = w.rank_",
        "UNION ALL",
        "SELECT 'summary', CAST(NULL AS BIGINT), CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS TIMESTAMP(9)), CAST(NULL AS STRING),",
        "       CAST(NULL AS DECIMAL(38, 18)), CAST(NULL AS BIGINT), records, unreadable FROM records");

    List<Row> customers = new ArrayList<>();
    long records = 0;
    long unreadable = 0;
    try (CloseableIterator<Row> rows = tables.executeSql(sql).collect()) {
      while (rows.hasNext()) {
        Row row = rows.next();
        if ("summary".equals(row.getField(0))) {
          records = ((Number) row.getField(8)).longValue();
          unreadable = ((Number) row.getField(9)).longValue();
        } else {
          customers.add(row);
        }
      }
    }
    customers.sort((a, b) -> Long.compare(((Number) a.getField(1)).longValue(), ((Number) b.getField(1)).longValue()));

    ObjectMapper json = new ObjectMapper();
    ObjectNode result = json.createObjectNode();
    result.put("engine", "Apache Flink " + org.apache.flink.runtime.util.EnvironmentInformation.getVersion());
    result.put("records_read", records);
    result.put("unreadable_records", unreadable);
    ArrayNode tracked = result.putArray("tracked");
    ArrayNode winners = result.putArray("winners");
    for (Row row : customers) {
      Number place = (Number) row.getField(7);
      boolean winner = place != null && place.longValue() <= totalReward;
      ObjectNode customer = tracked.addObject();
      customer.put("rank", ((Number) row.getField(1)).intValue());
      customer.put("customer_id", (String) row.getField(2));
      customer.put("customer_name", (String) row.getField(3));
      customer.put("first_order_at", ISO_MICROS.format((LocalDateTime) row.getField(4)));
      customer.put("first_order_id", (String) row.getField(5));
      customer.put("max_order_amount", ((BigDecimal) row.getField(6)).setScale(2, RoundingMode.UNNECESSARY).toPlainString());
      customer.put("winner", winner);
      if (winner) {
        ObjectNode w = winners.addObject();
        w.put("rank", place.intValue());
        w.put("customer_id", customer.get("customer_id").asText());
        w.put("customer_name", customer.get("customer_name").asText());
        w.put("first_order_at", customer.get("first_order_at").asText());
        w.put("max_order_amount", customer.get("max_order_amount").asText());
      }
    }
    result.put("seconds", Math.round((System.nanoTime() - began) / 1e7) / 100.0);
    System.out.println("AUDIT_RESULT " + json.writeValueAsString(result));
  }

  /** "0:1200,1:1180": stop before these offsets; absent: at the end of each partition when the job starts. */
  private static OffsetsInitializer stopOffsets(Args args) {
    String given = args.optional("stop-offsets");
    if (given == null || given.isBlank()) return OffsetsInitializer.latest();
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (String part : given.split(",")) {
      String[] pair = part.split(":");
      offsets.put(new TopicPartition(args.required("topic"), Integer.parseInt(pair[0].trim())), Long.parseLong(pair[1].trim()));
    }
    return OffsetsInitializer.offsets(offsets);
  }
}
