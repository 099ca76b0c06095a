package com.clickstream.runner.firehose;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scan side of {@link FirehoseObjectsTableFactory}: insert-only and unbounded, one STRING column,
 * plus the metadata {@code file.path} (STRING) and {@code timestamp} (TIMESTAMP_LTZ(3), the object's
 * modification time, i.e. when Firehose delivered it).
 */
final class FirehoseObjectsTableSource implements ScanTableSource, SupportsReadingMetadata {
    private final FirehoseObjectsTableFactory.Settings settings;
    private final DataType physicalDataType;
    private List<String> metadataKeys = List.of();
    private DataType producedDataType;

    FirehoseObjectsTableSource(FirehoseObjectsTableFactory.Settings settings, DataType physicalDataType) {
        this.settings = settings;
        this.physicalDataType = physicalDataType;
        this.producedDataType = physicalDataType;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        TypeInformation<RowData> type = context.createTypeInformation(producedDataType);
        FirehoseObjectFormat format = new FirehoseObjectFormat(settings.gzip, settings.separator, metadataKeys, type);
        return SourceProvider.of(new FirehoseObjectSource(settings.path, format, settings.discoveryInterval, settings.start,
                settings.startTimestampMs));
    }

    @Override
    public Map<String, DataType> listReadableMetadata() {
        Map<String, DataType> m = new LinkedHashMap<>();
        m.put(FirehoseObjectFormat.METADATA_PATH, DataTypes.STRING().notNull());
        m.put(FirehoseObjectFormat.METADATA_TIMESTAMP, DataTypes.TIMESTAMP_LTZ(3).notNull());
        return m;
    }

    @Override
    public void applyReadableMetadata(List<String> metadataKeys, DataType producedDataType) {
        this.metadataKeys = new ArrayList<>(metadataKeys);
        this.producedDataType = producedDataType;
    }

    @Override
    public DynamicTableSource copy() {
        FirehoseObjectsTableSource copy = new FirehoseObjectsTableSource(settings, physicalDataType);
        copy.metadataKeys = metadataKeys;
        copy.producedDataType = producedDataType;
        return copy;
    }

    @Override
    public String asSummaryString() {
        return "firehose-objects " + settings.path;
    }
}
