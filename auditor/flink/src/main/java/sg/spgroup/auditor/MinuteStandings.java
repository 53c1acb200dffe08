package sg.spgroup.auditor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessAllWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * Streaming mode, the seed's micro-batch: orders.completed read as it grows, one-minute tumbling
 * event-time windows on created_at, and after each minute the provisional standings of the whole
 * campaign so far (first N customers by first successful order, the eligible ones, first K) sent
 * to campaign.flink.standings. Event time advances with the order service's own low watermarks
 * (OrdersWatermark events: every order created before it is published before it on its partition),
 * per partition, so a minute is closed when every partition says it is complete, not on a guess.
 */
public final class MinuteStandings {
  private static final DateTimeFormatter ISO_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

  /** One customer's orders in one minute (or, merged, so far): first order and largest amount. */
  public static final class CustomerSoFar {
    public String customerId;
    public String customerName;
    public long firstMicros;
    public String firstOrderId;
    public long maxCents;

    public CustomerSoFar() {}

    boolean isEarlierThan(CustomerSoFar other) {
      return firstMicros < other.firstMicros || (firstMicros == other.firstMicros && firstOrderId.compareTo(other.firstOrderId) < 0);
    }

    CustomerSoFar merge(CustomerSoFar other) {
      if (other == null) return this;
      if (other.isEarlierThan(this)) {
        firstMicros = other.firstMicros;
        firstOrderId = other.firstOrderId;
        customerName = other.customerName;
      }
      maxCents = Math.max(maxCents, other.maxCents);
      return this;
    }
  }

  static long micros(LocalDateTime utc) {
    Instant instant = utc.toInstant(ZoneOffset.UTC);
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
  }

  /**
   * Watermarks from the order service's OrdersWatermark events only: an order's own created_at says
   * nothing about orders still being paid. With several order databases (shards) on a partition,
   * the lowest of theirs.
   */
  static final class OrderWatermarks implements WatermarkGenerator<Row> {
    private final Map<String, Long> bySource = new HashMap<>();
    private long current = Long.MIN_VALUE;

    @Override
    public void onEvent(Row row, long timestamp, WatermarkOutput output) {
      if (!"WATERMARK".equals(row.getField(4))) return;
      bySource.merge((String) row.getField(1), timestamp, Math::max);
      long lowest = bySource.values().stream().mapToLong(Long::longValue).min().orElse(Long.MIN_VALUE);
      if (lowest - 1 > current) {
        current = lowest - 1;
        output.emitWatermark(new Watermark(current));
      }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      if (current != Long.MIN_VALUE) output.emitWatermark(new Watermark(current));
    }
  }

  /** Each order once, however often its event was delivered. */
  static final class FirstDelivery extends KeyedProcessFunction<String, Row, Row> {
    private transient ValueState<Boolean> seen;

    @Override
    public void open(OpenContext context) {
      seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.BOOLEAN));
    }

    @Override
    public void processElement(Row row, Context context, Collector<Row> out) throws Exception {
      if (seen.value() != null) return;
      seen.update(true);
      out.collect(row);
    }
  }

  static final class MinuteOfCustomer implements AggregateFunction<Row, CustomerSoFar, CustomerSoFar> {
    @Override
    public CustomerSoFar createAccumulator() {
      return null;
    }

    @Override
    public CustomerSoFar add(Row row, CustomerSoFar acc) {
      CustomerSoFar one = new CustomerSoFar();
      one.customerId = (String) row.getField(1);
      one.customerName = (String) row.getField(2);
      one.firstMicros = micros((LocalDateTime) row.getField(5));
      one.firstOrderId = (String) row.getField(0);
      one.maxCents = ((BigDecimal) row.getField(3)).movePointRight(2).longValueExact();
      return acc == null ? one : acc.merge(one);
    }

    @Override
    public CustomerSoFar getResult(CustomerSoFar acc) {
      return acc;
    }

    @Override
    public CustomerSoFar merge(CustomerSoFar a, CustomerSoFar b) {
      return a == null ? b : a.merge(b);
    }
  }

  /** After each minute: merge it into the campaign so far and state the standings. */
  static final class StandingsAfterMinute extends ProcessAllWindowFunction<CustomerSoFar, String, TimeWindow> {
    private final long campaignId;
    private final int maxTracked;
    private final int totalReward;
    private final long minimumCents;
    private final String engine;

    StandingsAfterMinute(long campaignId, int maxTracked, int totalReward, long minimumCents, String engine) {
      this.campaignId = campaignId;
      this.maxTracked = maxTracked;
      this.totalReward = totalReward;
      this.minimumCents = minimumCents;
      this.engine = engine;
    }

    @Override
    public void process(Context context, Iterable<CustomerSoFar> minute, Collector<String> out) throws Exception {
      MapState<String, CustomerSoFar> soFar = context.globalState().getMapState(new MapStateDescriptor<>("so-far", Types.STRING, Types.POJO(CustomerSoFar.class)));
      for (CustomerSoFar customer : minute) soFar.put(customer.customerId, customer.merge(soFar.get(customer.customerId)));
      List<CustomerSoFar> ranked = new ArrayList<>();
      for (CustomerSoFar customer : soFar.values()) ranked.add(customer);
      ranked.sort((a, b) -> a.isEarlierThan(b) ? -1 : b.isEarlierThan(a) ? 1 : 0);
      ObjectMapper json = new ObjectMapper();
      ObjectNode data = json.createObjectNode();
      data.put("campaign_id", campaignId);
      data.put("engine", engine);
      data.put("minute_end", ISO_MICROS.format(LocalDateTime.ofEpochSecond(context.window().getEnd() / 1000, 0, ZoneOffset.UTC)));
      data.put("customers_so_far", ranked.size());
      ArrayNode winners = data.putArray("winners");
      int place = 0;
      for (CustomerSoFar c : ranked.subList(0, Math.min(maxTracked, ranked.size()))) {
        if (c.maxCents <= minimumCents || place >= totalReward) continue;
        ObjectNode w = winners.addObject();
        w.put("rank", ++place);
        w.put("customer_id", c.customerId);
        w.put("customer_name", c.customerName);
        w.put("first_order_at", ISO_MICROS.format(LocalDateTime.ofEpochSecond(Math.floorDiv(c.firstMicros, 1_000_000L), (int) Math.floorMod(c.firstMicros, 1_000_000L) * 1_000, ZoneOffset.UTC)));
        w.put("max_order_amount", BigDecimal.valueOf(c.maxCents, 2).toPlainString());
      }
      ObjectNode event = json.createObjectNode();
      event.put("event_id", UUID.randomUUID().toString());
      event.put("type", "EngineStandings");
      event.put("version", 1);
      event.put("occurred_at", ISO_MICROS.format(LocalDateTime.now(ZoneOffset.UTC)));
      event.set("data", data);
      out.collect(json.writeValueAsString(event));
    }
  }

  public static void run(Args args) throws Exception {
    long campaignId = Long.parseLong(args.required("campaign-id"));
    LocalDateTime start = CompletedOrders.utc(args.required("start"));
    LocalDateTime end = CompletedOrders.utc(args.required("end"));
    int maxTracked = args.positiveInt("max-tracked");
    int totalReward = args.positiveInt("total-reward");
    long minimumCents = new BigDecimal(args.required("min-amount")).setScale(2, RoundingMode.UNNECESSARY).movePointRight(2).longValueExact();
    int windowSeconds = args.intOr("window-seconds", 60);
    String engine = "Apache Flink " + org.apache.flink.runtime.util.EnvironmentInformation.getVersion() + " (" + (windowSeconds == 60 ? "1-minute" : windowSeconds + "-second") + " micro-batch)";

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    KafkaSource<Row> source = KafkaSource.<Row>builder()
        .setBootstrapServers(args.required("bootstrap-servers"))
        .setTopics(args.required("topic"))
        .setGroupId("spgroup-flink-standings")
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setDeserializer(new CompletedOrders(true))
        .setProperty("enable.auto.commit", "false")
        .setProperty("commit.offsets.on.checkpoint", "false")
        .build();
    WatermarkStrategy<Row> time = WatermarkStrategy.<Row>forGenerator(context -> new OrderWatermarks())
        .withTimestampAssigner((row, previous) -> micros((LocalDateTime) row.getField(5)) / 1_000);
    long startMicros = micros(start);
    long endMicros = micros(end);
    DataStream<Row> orders = env.fromSource(source, time, "orders.completed")
        .filter(row -> "SUCCESS".equals(row.getField(4)))
        .filter(row -> {
          long at = micros((LocalDateTime) row.getField(5));
          return at >= startMicros && at <= endMicros;
        })
        .keyBy(row -> (String) row.getField(0))
        .process(new FirstDelivery())
        .returns(new CompletedOrders(true).getProducedType());
    DataStream<String> standings = orders
        .keyBy(row -> (String) row.getField(1))
        .window(TumblingEventTimeWindows.of(Duration.ofSeconds(windowSeconds)))
        .aggregate(new MinuteOfCustomer())
        .windowAll(TumblingEventTimeWindows.of(Duration.ofSeconds(windowSeconds)))
        .process(new StandingsAfterMinute(campaignId, maxTracked, totalReward, minimumCents, engine));
    KafkaSink<String> sink = KafkaSink.<String>builder()
        .setBootstrapServers(args.required("bootstrap-servers"))
        .setRecordSerializer(KafkaRecordSerializationSchema.builder()
            .setTopic(args.required("output-topic"))
            .setKeySerializationSchema((String value) -> Long.toString(campaignId).getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .setValueSerializationSchema(new SimpleStringSchema())
            .build())
        .build();
    standings.sinkTo(sink);
    env.execute("campaign " + campaignId + " standings, one-minute micro-batch");
  }
}
