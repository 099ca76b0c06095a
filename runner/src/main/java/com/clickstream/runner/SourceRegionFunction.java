package com.clickstream.runner;

import org.apache.flink.table.functions.ScalarFunction;

/** SOURCE_REGION(): the runtime property runner/source.region. SQL never trusts a region in the payload. */
public final class SourceRegionFunction extends ScalarFunction {
    private static final long serialVersionUID = 1L;
    private final String region;

    public SourceRegionFunction(String region) {
        this.region = region;
    }

    public String eval() {
        return region;
    }
}
