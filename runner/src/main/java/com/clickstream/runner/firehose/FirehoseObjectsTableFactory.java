package com.clickstream.runner.firehose;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.util.TimeUtils;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Table connector {@code firehose-objects}: what an existing Kinesis Data Firehose delivery stream
 * delivers to S3, read as a table of one STRING column, one row per record (docs/CONTRACTS.md,
 * "Firehose-delivered objects as a source"). Options:
 * <pre>
 * path               = s3://bucket/prefix (locally file:///abs/dir/)   required
 * compression        = none | gzip                                     default none
 * record-separator   = newline | none                                  default newline
 * start              = LATEST | TRIM_HORIZON | AT_TIMESTAMP            default LATEST
 * start.timestamp    = ISO-8601 instant, with AT_TIMESTAMP only
 * discovery-interval = Flink duration                                  default 30 s
 * </pre>
 * Every problem is one line that names the option, the value and what is allowed; an unknown option
 * is named by Flink's own check.
 */
public final class FirehoseObjectsTableFactory implements DynamicTableSourceFactory {
    public static final String IDENTIFIER = "firehose-objects";

    public static final ConfigOption<String> PATH = ConfigOptions.key("path").stringType().noDefaultValue()
            .withDescription("The prefix Firehose delivers to: s3://bucket/prefix (file:///dir/ locally).");
    public static final ConfigOption<String> COMPRESSION = ConfigOptions.key("compression").stringType().defaultValue("none")
            .withDescription("none or gzip (the delivery stream's compression; file names are not looked at).");
    public static final ConfigOption<String> RECORD_SEPARATOR = ConfigOptions.key("record-separator").stringType()
            .defaultValue("newline")
            .withDescription("newline (one record per line) or none (JSON values back to back).");
    public static final ConfigOption<String> START = ConfigOptions.key("start").stringType().defaultValue("LATEST")
            .withDescription("Where a fresh start begins: LATEST, TRIM_HORIZON or AT_TIMESTAMP.");
    public static final ConfigOption<String> START_TIMESTAMP = ConfigOptions.key("start.timestamp").stringType()
            .noDefaultValue()
            .withDescription("With start = AT_TIMESTAMP: objects modified before this ISO-8601 instant are skipped.");
    public static final ConfigOption<String> DISCOVERY_INTERVAL = ConfigOptions.key("discovery-interval").stringType()
            .defaultValue("30 s")
            .withDescription("How often the prefix is listed for new objects.");

    /** The validated options. */
    static final class Settings {
        final Path path;
        final boolean gzip;
        final RecordSplitter.Separator separator;
        final FirehoseObjectSource.StartPosition start;
        final long startTimestampMs;
        final Duration discoveryInterval;

        Settings(Path path, boolean gzip, RecordSplitter.Separator separator, FirehoseObjectSource.StartPosition start,
                 long startTimestampMs, Duration discoveryInterval) {
            this.path = path;
            this.gzip = gzip;
            this.separator = separator;
            this.start = start;
            this.startTimestampMs = startTimestampMs;
            this.discoveryInterval = discoveryInterval;
        }
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(PATH);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(COMPRESSION, RECORD_SEPARATOR, START, START_TIMESTAMP, DISCOVERY_INTERVAL);
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        String table = tableName(context.getObjectIdentifier().getObjectName());
        checkSchema(table, context.getCatalogTable().getResolvedSchema());
        return new FirehoseObjectsTableSource(settings(helper.getOptions()), context.getPhysicalRowDataType());
    }

    /** The table as the SQL names it (the runner reads a source through a copy named {@code <name>$connector}). */
    static String tableName(String objectName) {
        return objectName.endsWith("$connector") ? objectName.substring(0, objectName.length() - "$connector".length()) : objectName;
    }

    static void checkSchema(String table, ResolvedSchema schema) {
        List<Column> physical = schema.getColumns().stream().filter(Column::isPhysical).collect(Collectors.toList());
        if (physical.size() == 1 && physical.get(0).getDataType().getLogicalType().is(LogicalTypeRoot.VARCHAR)) return;
        String declared = physical.stream().map(c -> c.getName() + " " + c.getDataType()).collect(Collectors.joining(", "));
        throw new ValidationException("table '" + table + "': connector '" + IDENTIFIER + "' reads each record as one STRING "
                + "column, but the table declares " + physical.size() + " physical column" + (physical.size() == 1 ? "" : "s")
                + (declared.isEmpty() ? "" : " (" + declared + ")")
                + ": declare exactly one physical column, such as payload STRING (computed and metadata columns may follow)");
    }

    static Settings settings(ReadableConfig options) {
        String pathValue = options.get(PATH).strip();
        if (pathValue.isEmpty()) throw invalid(PATH, pathValue, "s3://bucket/prefix, or file:///dir/ locally");
        Path path;
        try {
            path = new Path(pathValue);
        } catch (RuntimeException e) {
            throw invalid(PATH, pathValue, "s3://bucket/prefix, or file:///dir/ locally");
        }
        boolean gzip = oneOf(options, COMPRESSION, "none", "gzip").equals("gzip");
        RecordSplitter.Separator separator = RecordSplitter.Separator.valueOf(
                oneOf(options, RECORD_SEPARATOR, "newline", "none").toUpperCase(Locale.ROOT));
        FirehoseObjectSource.StartPosition start = FirehoseObjectSource.StartPosition.valueOf(
                oneOf(options, START, "LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"));
        String ts = options.getOptional(START_TIMESTAMP).orElse(null);
        long startMs = 0;
        if (start == FirehoseObjectSource.StartPosition.AT_TIMESTAMP) {
            if (ts == null || ts.isBlank()) {
                throw new ValidationException("option '" + START_TIMESTAMP.key() + "' is required with '" + START.key()
                        + "' = 'AT_TIMESTAMP' (connector '" + IDENTIFIER + "'): an ISO-8601 instant such as 2026-11-27T10:00:00.000Z");
            }
            try {
                startMs = OffsetDateTime.parse(ts.strip(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                throw invalid(START_TIMESTAMP, ts, "an ISO-8601 instant with a zone, such as 2026-11-27T10:00:00.000Z");
            }
        } else if (ts != null) {
            throw new ValidationException("option '" + START_TIMESTAMP.key() + "' = '" + ts + "' is only allowed with '"
                    + START.key() + "' = 'AT_TIMESTAMP' (connector '" + IDENTIFIER + "'), not with '" + start + "': remove it");
        }
        String interval = options.get(DISCOVERY_INTERVAL);
        Duration discovery;
        try {
            discovery = TimeUtils.parseDuration(interval.strip());
        } catch (RuntimeException e) {
            throw invalid(DISCOVERY_INTERVAL, interval, "a positive duration such as '30 s' or '1 min'");
        }
        if (discovery.isZero() || discovery.isNegative()) {
            throw invalid(DISCOVERY_INTERVAL, interval, "a positive duration such as '30 s' or '1 min'");
        }
        return new Settings(path, gzip, separator, start, startMs, discovery);
    }

    private static String oneOf(ReadableConfig options, ConfigOption<String> option, String... allowed) {
        String value = options.get(option);
        for (String a : allowed) if (a.equals(value)) return a;
        throw invalid(option, value, String.join(", ", allowed));
    }

    private static ValidationException invalid(ConfigOption<String> option, String value, String allowed) {
        return new ValidationException("option '" + option.key() + "' = '" + value + "' is not valid for connector '"
                + IDENTIFIER + "': allowed " + allowed);
    }
}
