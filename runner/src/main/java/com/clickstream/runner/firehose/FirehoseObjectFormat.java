package com.clickstream.runner.firehose;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads one object that Firehose delivered (never split: one object is one split) as rows of
 * (payload STRING, then the requested metadata columns in order: {@code file.path}, {@code timestamp}).
 * The object is decompressed when the table says {@code compression = gzip}, whatever its name ends
 * with, and split into records by {@link RecordSplitter}.
 *
 * <p>Position: records are counted from the start of the object (CheckpointedPosition with no offset
 * and the number of records already emitted), so a restore re-reads the object and skips those.
 *
 * <p>A corrupt or truncated object never fails the job: the records split before the bad bytes, then
 * the unfinished tail as a record, then one marker record whose payload is the plain text
 * {@code corrupt object <path>: <error>} (not JSON, so rejected_events gets it as not_json), and a WARN
 * with the path. Only opening the object (missing, access denied) fails as usual.
 */
public final class FirehoseObjectFormat implements BulkFormat<RowData, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FirehoseObjectFormat.class);

    /** Metadata key: the object's path. */
    public static final String METADATA_PATH = "file.path";
    /** Metadata key: the object's modification time (when Firehose delivered it). */
    public static final String METADATA_TIMESTAMP = "timestamp";

    static final int BATCH_RECORDS = 512;
    static final long BATCH_CHARS = 4L * 1024 * 1024;

    private final boolean gzip;
    private final RecordSplitter.Separator separator;
    private final List<String> metadata;
    private final TypeInformation<RowData> producedType;

    public FirehoseObjectFormat(boolean gzip, RecordSplitter.Separator separator, List<String> metadata,
                                TypeInformation<RowData> producedType) {
        this.gzip = gzip;
        this.separator = separator;
        this.metadata = new ArrayList<>(metadata);
        this.producedType = producedType;
    }

    /** The payload of the record that marks a corrupt object. */
    static String corruptMarker(Path path, IOException error) {
        String message = error.getMessage() == null || error.getMessage().isBlank()
                ? error.getClass().getSimpleName() : error.getMessage();
        return "corrupt object " + path + ": " + String.join(" ", message.strip().split("\\s*\\R\\s*"));
    }

    @Override
    public Reader<RowData> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return new ObjectReader(split, 0);
    }

    @Override
    public Reader<RowData> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        long skip = split.getReaderPosition().map(CheckpointedPosition::getRecordsAfterOffset).orElse(0L);
        return new ObjectReader(split, skip);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }

    private final class ObjectReader implements Reader<RowData> {
        private final Path path;
        private final Object[] metadataValues;
        private final InputStream stream;
        private final RecordSplitter splitter;
        private IOException failure;
        private boolean markerDone;
        private long emitted;
        private long produced;

        ObjectReader(FileSourceSplit split, long skip) throws IOException {
            this.path = split.path();
            metadataValues = new Object[metadata.size()];
            for (int i = 0; i < metadata.size(); i++) {
                metadataValues[i] = METADATA_PATH.equals(metadata.get(i)) ? StringData.fromString(path.toString())
                        : TimestampData.fromEpochMillis(split.fileModificationTime());
            }
            FSDataInputStream raw = path.getFileSystem().open(path); // a failure here fails as usual
            InputStream in = raw;
            if (gzip) {
                try {
                    in = new GZIPInputStream(raw, 64 * 1024);
                } catch (IOException e) { // not gzip, or cut in its header: corrupt
                    failure = e;
                    in = InputStream.nullInputStream();
                    raw.close();
                }
            }
            stream = in;
            splitter = new RecordSplitter(in, separator);
            for (long i = 0; i < skip; i++) {
                if (nextPayload() == null) break;
            }
            emitted = skip;
        }

        /** The next payload of this object (records, then the marker of a corrupt object), or null. */
        private String nextPayload() {
            String r = splitter.next();
            if (r != null) {
                produced++;
                return r;
            }
            if (failure == null) failure = splitter.failure();
            if (failure == null || markerDone) return null;
            markerDone = true;
            LOG.warn("firehose-objects: corrupt object {}: {} (records read before it: {}; a marker record goes to rejected_events)",
                    path, failure.toString(), produced);
            return corruptMarker(path, failure);
        }

        @Override
        public RecordIterator<RowData> readBatch() {
            RowData[] rows = new RowData[BATCH_RECORDS];
            int n = 0;
            long chars = 0;
            while (n < BATCH_RECORDS && chars < BATCH_CHARS) {
                String payload = nextPayload();
                if (payload == null) break;
                chars += payload.length();
                GenericRowData row = new GenericRowData(1 + metadataValues.length);
                row.setField(0, StringData.fromString(payload));
                for (int i = 0; i < metadataValues.length; i++) row.setField(i + 1, metadataValues[i]);
                rows[n++] = row;
            }
            if (n == 0) {
                if (splitter.oversizedRecords() > 0) {
                    LOG.warn("firehose-objects: {} record(s) of {} longer than {} bytes were cut", splitter.oversizedRecords(),
                            path, RecordSplitter.MAX_RECORD_BYTES);
                }
                return null;
            }
            ArrayResultIterator<RowData> batch = new ArrayResultIterator<>();
            batch.set(rows, n, CheckpointedPosition.NO_OFFSET, emitted);
            emitted += n;
            return batch;
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
