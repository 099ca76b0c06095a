package com.clickstream.runner.firehose;

import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.assigners.FileSplitAssigner;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Hands out splits in path order, oldest first. Firehose's default key layout
 * ({@code prefix/YYYY/MM/DD/HH/<stream>-<n>-YYYY-MM-DD-HH-MM-SS-<uuid>}) sorts by delivery time, so
 * objects are read in the order they were delivered and event time does not go backwards from one
 * object to the next (Flink's default assigner hands out the newest split first). Splits given back
 * after a failure are older than the pending ones and so are read again first.
 */
public final class PathOrderSplitAssigner implements FileSplitAssigner {
    static final Comparator<FileSourceSplit> ORDER = Comparator
            .comparing((FileSourceSplit s) -> s.path().toString())
            .thenComparingLong(FileSourceSplit::offset)
            .thenComparing(FileSourceSplit::splitId);

    private final TreeSet<FileSourceSplit> splits = new TreeSet<>(ORDER);

    public PathOrderSplitAssigner(Collection<FileSourceSplit> initial) {
        splits.addAll(initial);
    }

    @Override
    public Optional<FileSourceSplit> getNext(String hostname) {
        return Optional.ofNullable(splits.pollFirst());
    }

    @Override
    public void addSplits(Collection<FileSourceSplit> newSplits) {
        splits.addAll(newSplits);
    }

    @Override
    public Collection<FileSourceSplit> remainingSplits() {
        return new ArrayList<>(splits);
    }

    @Override
    public String toString() {
        return "PathOrderSplitAssigner " + splits.size() + " pending";
    }
}
