package com.clickstream.runner;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static com.clickstream.runner.TestProps.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The runner property group: values, defaults, local overrides and one-line errors. */
class RunnerConfigTest {

    private static Map<String, Properties> runnerOnly(String... kv) {
        Map<String, Properties> g = new TreeMap<>();
        g.put("runner", of(kv));
        return g;
    }

    @Test
    void runnerPropertiesParsedWithDefaults() {
        Map<String, Properties> g = runnerOnly("app.name", "realtime", "source.region", "eu-west-1", "sql.groups", "2");
        g.put("table.clicks_1m", of("format", "json", "connector", "firehose"));
        RunnerConfig c = RunnerConfig.from(g);
        assertEquals("realtime", c.appName());
        assertEquals("eu-west-1", c.sourceRegion());
        assertEquals(2, c.sqlGroups());
        assertEquals(10_000L, c.localCheckpointIntervalMs());
        assertNull(c.localParallelism());
        assertEquals("1 h", c.stateTtl());
        assertEquals(List.of("connector", "format"), List.copyOf(c.tableOptions().get("clicks_1m").keySet()));
    }

    @Test
    void localRunsListenOnLoopbackOnlyAndManagedFlinkKeepsItsOwnSettings() {
        RunnerConfig c = RunnerConfig.from(runnerOnly("app.name", "a", "source.region", "r", "sql.groups", "1", "local.rest.port", "8123"));
        org.apache.flink.configuration.Configuration local = SqlRunner.configuration(c, true, new org.apache.flink.configuration.Configuration());
        Map<String, String> m = local.toMap();
        assertEquals("127.0.0.1", m.get("jobmanager.bind-host")); // the blob server binds this; all interfaces by default
        assertEquals("127.0.0.1", m.get("taskmanager.bind-host"));
        assertEquals("127.0.0.1", m.get("rest.bind-address"));
        Map<String, String> deployed = SqlRunner.configuration(c, false, new org.apache.flink.configuration.Configuration()).toMap();
        assertNull(deployed.get("jobmanager.bind-host"));
        assertNull(deployed.get("rest.bind-address"));
    }

    @Test
    void runnerPropertiesLocalOverrides() {
        RunnerConfig c = RunnerConfig.from(runnerOnly("app.name", "a", "source.region", "r", "sql.groups", "1",
                "local.checkpoint.interval.ms", "500", "local.parallelism", "2"));
        assertEquals(500L, c.localCheckpointIntervalMs());
        assertEquals(2, c.localParallelism());
    }

    @Test
    void localRunsCanChooseRocksDbAsManagedFlinkRunsItAndManagedFlinkKeepsItsOwn() {
        RunnerConfig c = RunnerConfig.from(runnerOnly("app.name", "a", "source.region", "r", "sql.groups", "1",
                "local.state.backend", "rocksdb"));
        Map<String, String> local = SqlRunner.configuration(c, true, new org.apache.flink.configuration.Configuration()).toMap();
        assertEquals("rocksdb", local.get("state.backend.type"));
        assertEquals("true", local.get("state.backend.incremental"));
        Map<String, String> deployed = SqlRunner.configuration(c, false, new org.apache.flink.configuration.Configuration()).toMap();
        assertNull(deployed.get("state.backend.type"));
        assertNull(deployed.get("state.backend.incremental"));
        Map<String, String> dflt = SqlRunner.configuration(RunnerConfig.from(runnerOnly("app.name", "a", "source.region", "r", "sql.groups", "1")),
                true, new org.apache.flink.configuration.Configuration()).toMap();
        assertNull(dflt.get("state.backend.type"));
        assertEquals("runtime property runner/local.state.backend must be 'hashmap' or 'rocksdb', got 'forst'",
                assertThrows(StartupException.class, () -> RunnerConfig.from(runnerOnly("app.name", "a", "source.region", "r",
                        "sql.groups", "1", "local.state.backend", "forst"))).getMessage());
    }

    @Test
    void missingRunnerPropertiesFailWithOneMessage() {
        assertEquals("property group 'runner' is missing",
                assertThrows(StartupException.class, () -> RunnerConfig.from(new TreeMap<>())).getMessage());
        assertEquals("runtime property runner/source.region is missing",
                assertThrows(StartupException.class, () -> RunnerConfig.from(
                        runnerOnly("app.name", "a", "sql.groups", "1"))).getMessage());
        assertEquals("runtime property runner/sql.groups must be an integer, got 'two'",
                assertThrows(StartupException.class, () -> RunnerConfig.from(
                        runnerOnly("app.name", "a", "source.region", "r", "sql.groups", "two"))).getMessage());
    }
}
