package com.clickstream.runner.firehose;

import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.connector.file.src.AbstractFileSource;
import org.apache.flink.connector.file.src.ContinuousEnumerationSettings;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.FileSourceSplitSerializer;
import org.apache.flink.connector.file.src.PendingSplitsCheckpoint;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.connector.file.src.impl.ContinuousFileSplitEnumerator;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The objects under one prefix, as Firehose delivers them, read continuously (docs/CONTRACTS.md,
 * "Firehose-delivered objects as a source"): listed every discovery interval, each object read once,
 * whole, by one subtask, in path order ({@link PathOrderSplitAssigner}).
 *
 * <p>Where a fresh start begins ({@link StartPosition}): every object under the prefix, only the objects
 * delivered after the first listing, or the objects modified at or after a timestamp. The objects left
 * out are passed to Flink's enumerator as already processed. After a restore, Flink's own enumerator
 * state applies: its checkpoint holds the path of every object seen (read or left out), so no object
 * is read twice. That set grows by one path per object and is never pruned (about 86,400 paths for one
 * object a minute over 60 days).
 */
public final class FirehoseObjectSource extends AbstractFileSource<RowData, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FirehoseObjectSource.class);

    /** Where a fresh start begins. */
    public enum StartPosition { LATEST, TRIM_HORIZON, AT_TIMESTAMP }

    private final Path[] paths;
    private final long discoveryIntervalMs;
    private final StartPosition start;
    private final long startTimestampMs;

    /** @param startTimestampMs with AT_TIMESTAMP: objects modified before it are skipped; else ignored */
    public FirehoseObjectSource(Path path, FirehoseObjectFormat format, Duration discoveryInterval, StartPosition start,
                                long startTimestampMs) {
        super(new Path[] {path}, MissingPathIsEmpty::new, PathOrderSplitAssigner::new, format,
                new ContinuousEnumerationSettings(discoveryInterval));
        this.paths = new Path[] {path};
        this.discoveryIntervalMs = discoveryInterval.toMillis();
        this.start = start;
        this.startTimestampMs = startTimestampMs;
    }

    @Override
    public SimpleVersionedSerializer<FileSourceSplit> getSplitSerializer() {
        return FileSourceSplitSerializer.INSTANCE;
    }

    /** A fresh start (no checkpoint): lists the prefix once and decides which objects count as read. */
    @Override
    public SplitEnumerator<FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>> createEnumerator(
            SplitEnumeratorContext<FileSourceSplit> context) {
        FileEnumerator enumerator = getEnumeratorFactory().create();
        Collection<FileSourceSplit> existing;
        try {
            existing = enumerator.enumerateSplits(paths, 1);
        } catch (IOException e) {
            throw new FlinkRuntimeException("firehose-objects: could not list " + paths[0], e);
        }
        List<FileSourceSplit> toRead = new ArrayList<>();
        Set<Path> processed = new HashSet<>();
        for (FileSourceSplit split : existing) {
            processed.add(split.path());
            if (start == StartPosition.TRIM_HORIZON
                    || (start == StartPosition.AT_TIMESTAMP && split.fileModificationTime() >= startTimestampMs)) {
                toRead.add(split);
            }
        }
        LOG.info("firehose-objects: fresh start at {}{} under {}: {} existing objects, {} to read, {} skipped",
                start, start == StartPosition.AT_TIMESTAMP ? " " + Instant.ofEpochMilli(startTimestampMs) : "", paths[0],
                existing.size(), toRead.size(), existing.size() - toRead.size());
        return new ContinuousFileSplitEnumerator(context, enumerator, getAssignerFactory().create(toRead), paths,
                processed, discoveryIntervalMs);
    }

    /**
     * Lists files recursively, one split per file; a prefix that does not exist yet (Firehose has not
     * delivered anything) is empty rather than an error.
     */
    static final class MissingPathIsEmpty extends NonSplittingRecursiveEnumerator {
        @Override
        public Collection<FileSourceSplit> enumerateSplits(Path[] paths, int minDesiredSplits) throws IOException {
            try {
                return super.enumerateSplits(paths, minDesiredSplits);
            } catch (FileNotFoundException e) {
                return List.of();
            }
        }
    }
}
