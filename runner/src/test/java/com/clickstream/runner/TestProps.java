package com.clickstream.runner;

import java.util.Properties;

/** Property groups for the tests: {@code of("k1", "v1", "k2", "v2")}. */
final class TestProps {
    private TestProps() {}

    static Properties of(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
        return p;
    }
}
