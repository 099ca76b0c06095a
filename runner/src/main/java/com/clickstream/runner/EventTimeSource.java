package com.clickstream.runner;

import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.transformations.LegacySourceTransformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.expressions.Expression;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.WatermarkSpec;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.flink.table.api.Expressions.$;

/**
 * Turns a source table with a WATERMARK clause into a table whose event time is tracked per shard
 * (docs/SQL.md, "Event time per shard"). The table's connector options, columns and computed columns
 * stay exactly as the SQL declares them; the runner only moves the watermark out of the planner, which
 * would track it per source subtask:
 * <ol>
 *   <li>{@code <name>$connector}: the same table ({@code LIKE <name> EXCLUDING WATERMARKS}) plus the
 *       shard as a metadata column ({@code shard-id} for Kinesis, {@code file.path} for files; none for
 *       {@code firehose-objects} and other connectors: one clock per subtask), and for Kinesis the
 *       record's arrival time;</li>
 *   <li>its rows go through {@link EventTimeOperator}, which emits the watermark per shard with the
 *       bound declared in SQL;</li>
 *   <li>{@code <name>} is replaced by a view over that stream, with the same columns, the same rowtime
 *       attribute and {@code SOURCE_WATERMARK()}; processing-time columns are declared again on it.</li>
 * </ol>
 * The source operator's uid is {@code source:<name>} and the event-time operator's
 * {@code event-time:<name>}, so that both keep their state across any SQL change (docs/REGION.md).
 */
final class EventTimeSource {
    private EventTimeSource() {}

    static final String SHARD_COLUMN = "$split";
    static final String ARRIVAL_COLUMN = "$arrival";

    /**
     * The metadata key that names the shard of a record, per connector; null: one clock per subtask.
     * {@code firehose-objects} has one clock per subtask: a subtask reads one object at a time, in
     * delivery order, so its objects are one sequence in event time (a clock per object would also grow
     * without bound, one per object ever read, and every new object would start unseen).
     */
    static String shardMetadataKey(String connector) {
        if ("kinesis".equals(connector)) return "shard-id";
        if ("filesystem".equals(connector)) return "file.path";
        if ("firehose-objects".equals(connector)) return null;
        return null;
    }

    /**
     * Replaces the table {@code name} (created from {@code statement}) by its per-shard event-time view.
     * Returns false, and changes nothing, when the table has no WATERMARK clause.
     */
    static boolean register(StreamTableEnvironment tEnv, SqlStatement statement, String name, Map<String, String> options,
                            RunnerConfig config, Duration watermarkInterval) {
        ResolvedSchema declared = tEnv.from(quote(name)).getResolvedSchema();
        if (declared.getWatermarkSpecs().isEmpty()) return false;
        if (declared.getWatermarkSpecs().size() > 1) {
            throw new StartupException(statement.file() + ": table '" + name + "' declares more than one WATERMARK");
        }
        WatermarkSpec watermark = declared.getWatermarkSpecs().get(0);
        String rowtime = watermark.getRowtimeAttribute();
        long boundMs = WatermarkBound.millis(statement.file(), rowtime, watermark.getWatermarkExpression().asSerializableString());

        String connector = options.get("connector");
        String shardKey = shardMetadataKey(connector);
        String hidden = name + "$connector";
        List<String> metadata = new ArrayList<>();
        if (shardKey != null) metadata.add(quote(SHARD_COLUMN) + " STRING METADATA FROM '" + shardKey + "' VIRTUAL");
        // When the record arrived in the stream: tells a shard read behind from an idle one. A table that
        // reads that metadata itself (a translated KA app's ROWTIME) lends its column, which stays in the
        // table: Flink allows one metadata column per key.
        String declaredArrival = "kinesis".equals(connector) ? metadataColumn(declared, "timestamp") : null;
        if ("kinesis".equals(connector) && declaredArrival == null) {
            metadata.add(quote(ARRIVAL_COLUMN) + " TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL");
        }
        SqlRunner.exec(tEnv, statement, "CREATE TEMPORARY TABLE " + quote(hidden)
                + (metadata.isEmpty() ? "" : " (" + String.join(", ", metadata) + ")")
                + " LIKE " + quote(name) + " (EXCLUDING WATERMARKS)");

        List<String> proctime = new ArrayList<>();
        for (Column c : declared.getColumns()) {
            if (LogicalTypeChecks.isProctimeAttribute(c.getDataType().getLogicalType())) proctime.add(c.getName());
        }
        // A projection of every column but the processing-time ones: its computed and metadata columns become
        // physical, so toDataStream carries them (the table itself would give only its physical columns).
        Table connectorTable = tEnv.from(quote(hidden));
        List<Expression> kept = new ArrayList<>();
        for (Column c : connectorTable.getResolvedSchema().getColumns()) {
            if (!proctime.contains(c.getName())) kept.add($(c.getName()));
        }
        connectorTable = connectorTable.select(kept.toArray(new Expression[0]));
        ResolvedSchema read = connectorTable.getResolvedSchema();
        DataStream<RowData> rows = tEnv.toDataStream(connectorTable, read.toPhysicalRowDataType().bridgedTo(RowData.class));
        findSource(rows.getTransformation()).setUid("source:" + name);

        List<String> names = read.getColumnNames();
        List<DataType> types = read.getColumnDataTypes();
        int shardIndex = names.indexOf(SHARD_COLUMN);
        int arrivalIndex = names.indexOf(declaredArrival != null ? declaredArrival : ARRIVAL_COLUMN);
        List<Integer> forwarded = new ArrayList<>();
        List<LogicalType> outTypes = new ArrayList<>();
        List<String> outNames = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (i == shardIndex || (i == arrivalIndex && declaredArrival == null)) continue;
            forwarded.add(i);
            outTypes.add(types.get(i).getLogicalType());
            outNames.add(names.get(i));
        }
        long idleMs = config.sourceIdleTimeoutMs();
        EventTimeOperator operator = new EventTimeOperator(names.indexOf(rowtime), shardIndex, arrivalIndex,
                forwarded.stream().mapToInt(Integer::intValue).toArray(), boundMs, idleMs,
                // Kinesis assigns all of a subtask's shards at start, so a shard that has not delivered
                // yet is waited for; files and Firehose objects are assigned one at a time and need no wait.
                "kinesis".equals(connector) ? idleMs : 0, watermarkInterval.toMillis());
        DataStream<RowData> timed = rows.transform("EventTime: " + name,
                        InternalTypeInfo.of(RowType.of(outTypes.toArray(new LogicalType[0]), outNames.toArray(new String[0]))),
                        operator)
                .uid("event-time:" + name);

        dropTable(tEnv, name);
        Schema.Builder schema = Schema.newBuilder();
        for (int i = 0; i < outNames.size(); i++) schema.column(outNames.get(i), types.get(forwarded.get(i)));
        for (String p : proctime) schema.columnByExpression(p, "PROCTIME()");
        schema.watermark(rowtime, "SOURCE_WATERMARK()");
        tEnv.createTemporaryView(quote(name), timed, schema.build());
        return true;
    }

    /** The column of {@code schema} that reads the metadata {@code key}, or null. */
    static String metadataColumn(ResolvedSchema schema, String key) {
        for (Column c : schema.getColumns()) {
            if (c instanceof Column.MetadataColumn
                    && key.equals(((Column.MetadataColumn) c).getMetadataKey().orElse(c.getName()))) return c.getName();
        }
        return null;
    }

    static Transformation<?> findSource(Transformation<?> t) {
        if (t instanceof SourceTransformation || t instanceof LegacySourceTransformation) return t;
        for (Transformation<?> input : t.getInputs()) {
            Transformation<?> s = findSource(input);
            if (s != null) return s;
        }
        return null;
    }

    static void dropTable(StreamTableEnvironment tEnv, String name) {
        if (!tEnv.dropTemporaryTable(quote(name))) tEnv.executeSql("DROP TABLE " + quote(name));
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}
