package com.clickstream.runner;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

import java.util.ArrayList;
import java.util.List;

/**
 * Registers {@code events_timed}: every row of the view {@code events_unique} (valid, de-duplicated
 * events) with the lateness decision of {@link LatenessOperator} in two more columns,
 * {@code closed_outputs} (NULL when on time) and {@code watermark_time}, plus {@code proc_time}.
 * The SQL then reads {@code events_on_time} (windows) and late_events from it (docs/SQL.md, "Lateness").
 *
 * <p>The rules need the plans of the outputs' INSERTs, and those read the view: so the runner first
 * registers a placeholder with the same columns, plans the INSERTs against it, then replaces it.
 */
final class LatenessSplit {
    private LatenessSplit() {}

    static final String INPUT_VIEW = "events_unique";
    static final String OUTPUT_VIEW = "events_timed";

    /** A SQL view with the columns of events_timed, for planning the INSERTs before the rules exist. */
    static void registerPlaceholder(StreamTableEnvironment tEnv) {
        tEnv.executeSql("CREATE TEMPORARY VIEW " + OUTPUT_VIEW + " AS SELECT *, CAST(NULL AS STRING) AS closed_outputs, "
                + "CAST(NULL AS TIMESTAMP(3)) AS watermark_time, PROCTIME() AS proc_time FROM " + INPUT_VIEW);
    }

    /** Replaces the placeholder with the view over the lateness operator's stream. */
    static void register(StreamTableEnvironment tEnv, LatenessRules rules) {
        tEnv.dropTemporaryView(OUTPUT_VIEW);
        Table unique = tEnv.from(INPUT_VIEW);
        ResolvedSchema schema = unique.getResolvedSchema();
        int rowtime = -1;
        for (int i = 0; i < schema.getColumnCount(); i++) {
            if (org.apache.flink.table.types.logical.utils.LogicalTypeChecks.isRowtimeAttribute(
                    schema.getColumnDataTypes().get(i).getLogicalType())) rowtime = i;
        }
        if (rowtime < 0) {
            throw new StartupException("view " + INPUT_VIEW + " has no rowtime attribute: keep the source's rowtime in it (docs/SQL.md)");
        }
        DataStream<RowData> rows = tEnv.toDataStream(unique, schema.toPhysicalRowDataType().bridgedTo(RowData.class));

        List<String> names = new ArrayList<>(schema.getColumnNames());
        List<DataType> types = new ArrayList<>();
        for (DataType t : schema.getColumnDataTypes()) {
            // The stream carries rowtime as a plain TIMESTAMP(3); the view below makes it the attribute again.
            boolean attribute = org.apache.flink.table.types.logical.utils.LogicalTypeChecks.isRowtimeAttribute(t.getLogicalType());
            types.add(attribute ? (t.getLogicalType().isNullable() ? DataTypes.TIMESTAMP(3) : DataTypes.TIMESTAMP(3).notNull()) : t);
        }
        names.add("closed_outputs");
        types.add(DataTypes.STRING());
        names.add("watermark_time");
        types.add(DataTypes.TIMESTAMP(3));
        List<LogicalType> logical = new ArrayList<>();
        for (DataType t : types) logical.add(t.getLogicalType());
        DataStream<RowData> timed = rows.transform("Lateness: " + INPUT_VIEW,
                        InternalTypeInfo.of(RowType.of(logical.toArray(new LogicalType[0]), names.toArray(new String[0]))),
                        new LatenessOperator(rowtime, rules))
                .uid("lateness:" + INPUT_VIEW);

        Schema.Builder b = Schema.newBuilder();
        for (int i = 0; i < names.size(); i++) b.column(names.get(i), types.get(i));
        b.columnByExpression("proc_time", "PROCTIME()");
        b.watermark(names.get(rowtime), "SOURCE_WATERMARK()");
        tEnv.createTemporaryView(OUTPUT_VIEW, timed, b.build());
    }
}
