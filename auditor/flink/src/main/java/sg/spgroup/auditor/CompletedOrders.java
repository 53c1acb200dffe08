package sg.spgroup.auditor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the records of orders.completed as the auditor sees them: every OrderCompleted (v1) as a
 * row; a watermark or any other event type is not an order and is skipped; a record that is not a
 * readable OrderCompleted becomes a row with status UNREADABLE (counted and reported, never ranked),
 * so the audit says how much of the history it could not read instead of failing or hiding it.
 * Written from the event contract (packages/contracts/src/events.ts), not from the campaign's code.
 */
public final class CompletedOrders implements KafkaRecordDeserializationSchema<Row> {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Streaming mode: the order service's watermarks become rows too (status WATERMARK, source in customer_id). */
  private final boolean withWatermarks;

  public CompletedOrders() {
    this(false);
  }

  public CompletedOrders(boolean withWatermarks) {
    this.withWatermarks = withWatermarks;
  }

  static final String[] FIELDS = {"order_id", "customer_id", "customer_name", "total_amount", "status", "created_at", "kafka_partition", "kafka_offset"};

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Row> out) throws IOException {
    JsonNode event;
    try {
      event = JSON.readTree(record.value());
    } catch (IOException e) {
      out.collect(unreadable(record));
      return;
    }
    if (withWatermarks && event != null && "OrdersWatermark".equals(event.path("type").asText())) {
      JsonNode data = event.path("data");
      try {
        out.collect(Row.of("", text(data, "source"), "", BigDecimal.ZERO, "WATERMARK", utc(text(data, "watermark")), record.partition(), record.offset()));
      } catch (RuntimeException e) {
        out.collect(unreadable(record));
      }
      return;
    }
    if (event == null || !"OrderCompleted".equals(event.path("type").asText())) {
      if (event == null || !event.path("type").isTextual()) out.collect(unreadable(record));
      return;
    }
    JsonNode data = event.path("data");
    try {
      if (event.path("version").asInt() != 1) throw new IllegalArgumentException("unknown version");
      out.collect(Row.of(
          text(data, "order_id"),
          text(data, "customer_id"),
          text(data, "customer_name"),
          amount(text(data, "total_amount")),
          text(data, "status"),
          utc(text(data, "created_at")),
          record.partition(),
          record.offset()));
    } catch (RuntimeException e) {
      out.collect(unreadable(record));
    }
  }

  private static Row unreadable(ConsumerRecord<byte[], byte[]> record) {
    return Row.of(record.partition() + ":" + record.offset(), "", "", BigDecimal.ZERO, "UNREADABLE", LocalDateTime.of(1970, 1, 1, 0, 0), record.partition(), record.offset());
  }

  /** decimal(10,2) as the contract spells it: at most two decimals, else the record is unreadable. */
  private static BigDecimal amount(String text) {
    BigDecimal amount = new BigDecimal(text);
    if (amount.scale() > 2 || amount.signum() < 0 || amount.precision() - amount.scale() > 8) throw new IllegalArgumentException("not a decimal(10,2): " + text);
    return amount;
  }

  private static String text(JsonNode data, String field) {
    JsonNode value = data.get(field);
    if (value == null || !value.isTextual()) throw new IllegalArgumentException("missing " + field);
    return value.asText();
  }

  /** An ISO 8601 instant (Z or an offset; any fraction) as a UTC wall time, microseconds kept. */
  static LocalDateTime utc(String iso) {
    return OffsetDateTime.parse(iso.replace(' ', 'T').replace('t', 'T').replace('z', 'Z')).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
  }

  @Override
  public TypeInformation<Row> getProducedType() {
    return Types.ROW_NAMED(FIELDS, Types.STRING, Types.STRING, Types.STRING, Types.BIG_DEC, Types.STRING, Types.LOCAL_DATE_TIME, Types.INT, Types.LONG);
  }
}
