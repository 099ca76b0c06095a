package com.clickstream.runner;

import com.clickstream.runner.tools.LocalApp;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SQL change keeps the state of every operator it does not touch (docs/REGION.md): the job graphs of
 * the real SQL before and after a change (one output added, one output's filter changed) have the same
 * uids for the source, its event time, the de-duplication, the lateness split, every unchanged output's
 * windows, and every sink; only the changed output's operators get new ones.
 */
class OperatorUidsTest {
    static StreamGraph graph(List<SqlStatement> statements) {
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        tables.put("clickstream_raw", ConnectorOptionsFixture.options("kinesis-polling-created-stream", "local-kinesis-endpoint"));
        for (String o : LocalApp.tableNames(statements, "outputs")) {
            tables.put(o, ConnectorOptionsFixture.options("firehose-sink", "local-firehose-endpoint"));
        }
        Map<String, Properties> groups = LocalApp.properties(statements, Map.of("app.name", "realtime", "source.region", "eu-west-1"), tables);
        return SqlRunner.prepare(groups, false, new Configuration()).graph();
    }

    /** uid of every stateful operator upstream of each sink, by sink: "<sink uid> <- <operator uid>". */
    static Map<String, Set<String>> statefulBySink(StreamGraph g) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (StreamNode n : g.getStreamNodes()) {
            if (n.getTransformationUID() != null && n.getTransformationUID().startsWith("sink:") && n.getOutEdges().isEmpty()) {
                Set<String> upstream = new TreeSet<>();
                collect(g, n, upstream);
                out.put(n.getTransformationUID(), upstream);
            }
        }
        return out;
    }

    private static void collect(StreamGraph g, StreamNode n, Set<String> into) {
        if (n.getOperatorName().matches(".*(Aggregate|Deduplicate|Source|EventTime|Lateness|Writer|Committer|Sink).*")) {
            into.add(n.getTransformationUID());
        }
        for (StreamEdge e : n.getInEdges()) collect(g, g.getStreamNode(e.getSourceId()), into);
    }

    @Test
    void aSqlChangeKeepsTheUidsOfEverythingItDoesNotTouch() {
        List<SqlStatement> before = AppHarness.statements();
        List<SqlStatement> after = new ArrayList<>(AppHarness.edit(before, "sql/outputs/clicks_1m.sql",
                sql -> sql.replace("WHERE event_type = 'click'", "WHERE event_type IN ('click', 'add_to_cart')")));
        after.add(after.indexOf(after.stream().filter(s -> s.kind() == SqlStatement.Kind.INSERT).findFirst().orElseThrow()),
                new SqlStatement("sql/outputs/views_1m.sql", "CREATE TABLE views_1m (window_start TIMESTAMP(3), "
                        + "window_end TIMESTAMP(3), region STRING, site STRING, page_views BIGINT)"));
        after.add(new SqlStatement("sql/outputs/views_1m.sql", "INSERT INTO views_1m SELECT window_start, window_end, "
                + "SOURCE_REGION(), site, COUNT(*) FROM TABLE(TUMBLE(TABLE events_on_time, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE)) "
                + "WHERE event_type = 'page_view' GROUP BY window_start, window_end, site"));

        Map<String, Set<String>> a = statefulBySink(graph(before));
        Map<String, Set<String>> b = statefulBySink(graph(after));
        assertEquals(Set.of("sink:active_users_1m", "sink:active_users_5m", "sink:cart_value_by_campaign", "sink:clicks_1m",
                "sink:late_events", "sink:page_clicks_late", "sink:rejected_events"), a.keySet());
        assertTrue(b.containsKey("sink:views_1m"));
        for (String sink : a.keySet()) {
            Set<String> common = new TreeSet<>(a.get(sink));
            common.retainAll(b.get(sink));
            assertTrue(common.containsAll(Set.of("source:clickstream_raw", "event-time:clickstream_raw")), sink + ": " + common);
            if (sink.equals("sink:clicks_1m")) {
                assertNotEquals(a.get(sink), b.get(sink)); // its filter changed: its windows start empty
                Set<String> changed = new TreeSet<>(b.get(sink));
                changed.removeAll(a.get(sink));
                assertTrue(changed.stream().allMatch(u -> u.contains("windowaggregate")), "only its windows are new: " + changed);
            } else {
                assertEquals(a.get(sink), b.get(sink), sink); // untouched: every stateful operator keeps its uid
            }
        }
        assertTrue(a.get("sink:clicks_1m").contains("lateness:events_unique"));
        assertTrue(a.get("sink:clicks_1m").stream().anyMatch(u -> u.startsWith("deduplicate:")));
    }
}
